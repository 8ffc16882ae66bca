import { requestIdFrom, TRACE_ID } from '@app/common/observability';
import type { Request } from 'express';

/** Set by the API key guard. */
export interface TenantRequest extends Request {
  tenantId?: string;
}

/**
 * pino-http assigns req.id from X-Request-Id or a fresh UUID. The body parser runs before it, so
 * a malformed or oversized body reaches the error filter without one: assign it the same way.
 */
export function requestIdOf(req: Request): string {
  const r = req as Request & { id?: unknown };
  if (r.id === undefined || r.id === null || r.id === '') r.id = requestIdFrom(req.headers);
  return String(r.id);
}

/** X-Correlation-Id when the client sent a sane one, else the request id (ADR-0010). */
export function correlationIdOf(req: Request): string {
  const given = req.headers['x-correlation-id'];
  return typeof given === 'string' && TRACE_ID.test(given) ? given : requestIdOf(req);
}
