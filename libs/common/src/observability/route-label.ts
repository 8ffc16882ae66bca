/** The part of an Express request the route label needs. */
export interface RoutedRequest {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown };
}

/**
 * The route template that answered (`/v1/service-calls/:id`), never the raw URL, so the label stays
 * bounded. A request no route took (unknown path, or refused before routing: body too large,
 * malformed JSON) is "unmatched".
 */
export function routeLabel(req: RoutedRequest): string {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}
