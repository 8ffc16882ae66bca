import type { NextFunction, Request, Response } from 'express';
import { correlationIdOf, requestIdOf } from './request-context';

/**
 * Mounted before everything else, so every answer carries X-Request-Id (the same value as
 * meta.requestId), even when the body parser refuses the request or no route matches. A client
 * that sent X-Correlation-Id gets back the id its request is traced under.
 */
export function traceHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Request-Id', requestIdOf(req));
  if (req.headers['x-correlation-id'] !== undefined) res.setHeader('X-Correlation-Id', correlationIdOf(req));
  next();
}
