import type { IncomingHttpHeaders } from 'node:http';

const ALLOWED_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-language',
  'content-encoding',
  'cache-control',
  'etag',
  'last-modified',
  'date',
  'retry-after',
  'location',
  'x-request-id',
  'x-correlation-id',
] as const;

/** Only headers known to carry no secrets are kept: responses are stored in events and read models. */
export function pickAllowedResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const lowerCased = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const picked: Record<string, string> = {};
  for (const name of ALLOWED_RESPONSE_HEADERS) {
    const value = lowerCased.get(name);
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}
