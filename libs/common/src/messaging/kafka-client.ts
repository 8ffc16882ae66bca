import { Kafka, logLevel, LogEntry } from './kafkajs';
import { Log } from '../observability/log';

/** The only place that builds a kafkajs client, so the client library can be swapped. */
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
