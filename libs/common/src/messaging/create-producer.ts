import { Kafka, Partitioners, Producer } from './kafkajs';

/** Idempotent, one request in flight: per-partition order survives retries. Topics are never auto-created. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
