import { Kafka, logLevel, LogEntry } from './kafkajs';
import { Log } from '../observability/log';

/**
 * The apps' kafkajs client: each app builds one (`app-infrastructure.ts`) for its consumers, its DLQ
 * writer and its topic admin, with its retries and its logs routed to pino. The outbox publishers
 * produce with @platformatic/kafka instead (ADR-0012); tests and tools build bare clients of their own.
 */
export function createKafka(clientId: string, brokers: readonly string[], log: Log): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    connectionTimeout: 5_000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const fields = { kafka: namespace, ...rest };
        if (level <= logLevel.ERROR) log.error(fields, message);
        else log.warn(fields, message);
      },
  });
}
