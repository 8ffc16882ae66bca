import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/** Set by the API key guard. */
export interface TenantRequest extends Request {
  tenantId?: string;
}

const ID = /^[\w.:-]{1,128}$/;

/**
 * pino-http assigns req.id from X-Request-Id or a fresh UUID. The body parser runs before it, so
 * a malformed or oversized body reaches the error filter without one: assign it the same way.
 */
export function requestIdOf(req: Request): string {
  const r = req as Request & { id?: unknown };
  if (r.id === undefined || r.id === null || r.id === '') {
    const given = req.headers['x-request-id'];
    r.id = typeof given === 'string' && ID.test(given) ? given : randomUUID();
  }
  return String(r.id);
}

/** X-Correlation-Id when the client sent a sane one, else the request id (ADR-0010). */
export function correlationIdOf(req: Request): string {
  const given = req.headers['x-correlation-id'];
  return typeof given === 'string' && ID.test(given) ? given : requestIdOf(req);
}
