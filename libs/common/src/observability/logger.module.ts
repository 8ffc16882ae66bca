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
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'], censor: '[REDACTED]' },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
    },
  });
}
