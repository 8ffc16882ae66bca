import { requestIdFrom, TRACE_ID } from '@app/common/observability';
import type { Request } from 'express';

/** Set by the API key guard. */
export interface TenantRequest extends Request {
  tenantId?: string;
}

/**
 * The client's X-Request-Id when sane, else a fresh UUID, fixed on the request the first time it
 * is asked for (trace-headers.ts asks first); pino-http then logs the same req.id.
 */
export function requestIdOf(req: Request): string {
  const r = req as Request & { id?: unknown };
  if (typeof r.id !== 'string' || r.id === '') r.id = requestIdFrom(req.headers);
  return r.id;
}

/** X-Correlation-Id when the client sent a sane one, else the request id (ADR-0010). */
export function correlationIdOf(req: Request): string {
  const given = req.headers['x-correlation-id'];
  return typeof given === 'string' && TRACE_ID.test(given) ? given : requestIdOf(req);
}
