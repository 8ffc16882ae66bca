import type { Request } from 'express';

/** Set by the API key guard. */
export interface TenantRequest extends Request {
  tenantId?: string;
}

/** pino-http assigns req.id from X-Request-Id or a fresh UUID. */
export const requestIdOf = (req: Request): string => String((req as Request & { id?: unknown }).id ?? '');

const ID = /^[\w.:-]{1,128}$/;

/** X-Correlation-Id when the client sent a sane one, else the request id (ADR-0010). */
export function correlationIdOf(req: Request): string {
  const given = req.headers['x-correlation-id'];
  return typeof given === 'string' && ID.test(given) ? given : requestIdOf(req);
}
