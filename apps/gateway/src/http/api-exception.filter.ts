import { isTransientDatabaseError } from '@app/common/database';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { InvalidRequestError } from '../service-calls/invalid-request.error';
import { ApiError } from './api-error';
import { requestIdOf } from './request-context';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

/** How long a client should wait before retrying when the database is out of reach. */
export const RETRY_AFTER_SECONDS = 2;

/** The one place where errors become HTTP answers: `{ error: { code, message, details? }, meta: { requestId } }`. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: PinoLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { status, code, message, details } = this.describe(exception);
    if (status === (HttpStatus.SERVICE_UNAVAILABLE as number)) {
      this.log.warn({ err: exception, requestId: requestIdOf(req) }, 'database unavailable');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    } else if (status >= 500) {
      this.log.error({ err: exception, requestId: requestIdOf(req) }, 'request failed');
    }
    res.status(status).json({
      error: { code, message, ...(details === undefined ? {} : { details }) },
      meta: { requestId: requestIdOf(req) },
    });
  }

  private describe(exception: unknown): { status: number; code: string; message: string; details?: unknown } {
    if (exception instanceof ApiError) {
      return { status: exception.getStatus(), code: exception.code, message: exception.message, details: exception.details };
    }
    if (exception instanceof InvalidRequestError) {
      const details = [{ field: exception.field, problems: [exception.message] }];
      return { status: HttpStatus.BAD_REQUEST, code: 'VALIDATION_FAILED', message: 'the request is not valid', details };
    }
    // The request's transaction did not commit, so nothing was accepted; should the connection have
    // broken during COMMIT itself, a retry with the same Idempotency-Key finds the call, never a second one.
    if (isTransientDatabaseError(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'SERVICE_UNAVAILABLE',
        message: 'the service cannot reach its database; retry later',
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: CODES[status] ?? `HTTP_${status}`, message: exception.message };
    }
    // Nest already turns body-parser's 413 into an HttpException (and malformed-json.ts its 400);
    // other Express middleware errors carry a 4xx `status`.
    const e = exception as { status?: number; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return { status: e.status, code: CODES[e.status] ?? `HTTP_${e.status}`, message: e.message ?? 'bad request' };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL', message: 'internal error' };
  }
}
