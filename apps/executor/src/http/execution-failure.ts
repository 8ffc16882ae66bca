import type { ExecutionErrorCode } from '@app/common/contracts';

export interface ExecutionFailure {
  readonly code: ExecutionErrorCode;
  readonly message: string;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * Maps whatever undici, the socket or the policy threw to a stable code. The message never echoes
 * the URL, which may carry secrets.
 */
export function describeRequestFailure(error: unknown, signal: AbortSignal, timeoutMs: number): ExecutionFailure {
  const codes = errorCodes(error);
  if (signal.aborted || codes.some((code) => TIMEOUT_CODES.has(code))) {
    return { code: 'TIMEOUT', message: `No complete response within ${timeoutMs} ms` };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (codes.includes('ERR_TARGET_NOT_ALLOWED')) return { code: 'TARGET_NOT_ALLOWED', message };
  if (codes.includes('UND_ERR_INVALID_ARG')) return { code: 'INVALID_TARGET', message };
  return { code: 'CONNECTION_FAILED', message: codes.length > 0 ? `${codes[0]}: ${message}` : message };
}

/** undici may nest the socket error in `cause`; Node's happy-eyeballs connect throws an AggregateError. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const pending: unknown[] = [error];
  for (let seen = 0; pending.length > 0 && seen < 10; seen++) {
    const current = pending.shift();
    if (!(current instanceof Error)) continue;
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    if (current instanceof AggregateError) pending.push(...(current.errors as unknown[]));
    pending.push(current.cause);
  }
  return codes;
}
