import type { HttpMethod, TargetRequest } from '@app/common/contracts';

export type OutgoingRequest =
  | {
      readonly kind: 'ready';
      /** Without userinfo, which travels as an Authorization header instead. */
      readonly url: URL;
      readonly method: HttpMethod;
      readonly headers: Record<string, string>;
      readonly body: string | undefined;
    }
  /** The message leaves the URL out: it may carry secrets. */
  | { readonly kind: 'invalid'; readonly message: string };

/** Headers the client owns: forwarding a tenant's value would break or smuggle the request. */
const CLIENT_OWNED_HEADERS = new Set([
  'connection',
  'content-length',
  'expect',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'idempotency-key',
]);

/** The request as it goes on the wire: the tenant's call plus our `Idempotency-Key`. */
export function prepareOutgoingRequest(target: TargetRequest, idempotencyKey: string): OutgoingRequest {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return { kind: 'invalid', message: 'Target URL is malformed' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'invalid', message: `Target URL scheme ${url.protocol} is not http(s)` };
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers)) {
    if (!CLIENT_OWNED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if ((url.username || url.password) && !hasAuthorization) headers.authorization = basicAuthorization(url);
  headers['idempotency-key'] = idempotencyKey;

  return { kind: 'ready', url: withoutUserinfo(url), method: target.method, headers, body: target.body };
}

/** undici drops `user:pass@` silently; like curl, we send it as Basic credentials instead. */
function basicAuthorization(url: URL): string {
  const credentials = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

function withoutUserinfo(url: URL): URL {
  const stripped = new URL(url);
  stripped.username = '';
  stripped.password = '';
  return stripped;
}

function safeDecode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
