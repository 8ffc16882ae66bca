/** The part of an Express request the route label needs. */
export interface RoutedRequest {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown; readonly methods?: Readonly<Record<string, boolean | undefined>> };
}

/**
 * The route template that answered (`/v1/service-calls/:id`), never the raw URL, so the label stays
 * bounded. A request no handler took (unknown path, or refused before routing: body too large,
 * malformed JSON) is "unmatched". A route for every method is a middleware mount, not a handler:
 * Nest registers module middleware (the request logger) with `all('/{*path}')`, and Express leaves
 * it in `req.route` when no handler matched after it. (An `@All()` handler would count as unmatched.)
 */
export function routeLabel(req: RoutedRequest): string {
  const route = req.route;
  if (!route || typeof route.path !== 'string' || isEveryMethod(route.methods)) return 'unmatched';
  return `${req.baseUrl ?? ''}${route.path}`;
}

const isEveryMethod = (methods: Readonly<Record<string, boolean | undefined>> = {}): boolean =>
  methods._all === true || ['get', 'post', 'put', 'patch', 'delete'].every((m) => methods[m] === true);
