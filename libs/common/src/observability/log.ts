/** The slice of a pino logger the shared lib needs; nestjs-pino's PinoLogger and pino itself both fit. */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  /** pino's own check; lets a caller skip building fields for a line that would be dropped. */
  isLevelEnabled?(level: string): boolean;
}

/** True when `log` would write a debug line (per-message log points stay at debug: at load they would cost the throughput). */
export const debugEnabled = (log: Log): boolean => log.isLevelEnabled?.('debug') ?? true;

/** Fields that tie a log line to a message and its request (ADR-0010). */
export const messageLogFields = (m: {
  messageId: string;
  type: string;
  aggregateId: string;
  tenantId: string;
  correlationId: string;
  causationId: string;
}) => ({
  messageId: m.messageId,
  type: m.type,
  serviceCallId: m.aggregateId,
  tenantId: m.tenantId,
  correlationId: m.correlationId,
  causationId: m.causationId,
});
