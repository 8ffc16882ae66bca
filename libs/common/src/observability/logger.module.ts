import { LoggerModule } from 'nestjs-pino';
import { LogLevel } from '../config/env-readers';
import { requestIdFrom } from './request-id';

/** JSON logs with the request id; secrets never reach them (ADR-0008, ADR-0010). */
export function loggerModule(app: string, level: LogLevel) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { app },
      genReqId: (req) => requestIdFrom(req.headers),
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: '[REDACTED]',
      },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
      // One line per request is a log point of ADR-0010, but at hundreds of requests a second its
      // serialised headers cost more CPU than the request: successes go at debug, failures stay visible.
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
      serializers: {
        req: (req: { id: unknown; method: unknown; url: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
      },
    },
  });
}
