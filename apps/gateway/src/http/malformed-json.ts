import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';

/**
 * Nest rewrites body-parser's JSON SyntaxError into a bare 400 before any filter sees it; this
 * error middleware, mounted right after the JSON parser, gives it its stable code instead.
 */
export function malformedJson(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const type = (error as { type?: unknown } | null)?.type;
  next(type === 'entity.parse.failed' ? new ApiError(400, 'MALFORMED_JSON', 'request body is not valid JSON') : error);
}
