import { randomUUID } from 'node:crypto';

/**
 * Shape of a client-supplied X-Request-Id / X-Correlation-Id we are willing to carry: 1–128
 * visible ASCII characters, which are safe to echo in a header and to log.
 */
export const TRACE_ID = /^[\x21-\x7E]{1,128}$/;

/** The client's X-Request-Id when it is sane, else a fresh UUID. */
export function requestIdFrom(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && TRACE_ID.test(given) ? given : randomUUID();
}
