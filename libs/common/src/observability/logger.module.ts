import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { LogLevel } from '../config/env-readers';

/** JSON logs with the request id; secrets never reach them (ADR-0008, ADR-0010). */
export function loggerModule(app: string, level: LogLevel) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { app },
      genReqId: (req) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'], censor: '[REDACTED]' },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
    },
  });
}
