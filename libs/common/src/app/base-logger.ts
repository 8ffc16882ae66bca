import pino, { Logger } from 'pino';
import { LogLevel } from '../config/env-readers';

/** A logger for the pieces that live outside Nest's container (outbox publisher, Kafka client). */
export function baseLogger(app: string, level: LogLevel): Logger {
  return pino({ level, base: { app } });
}
