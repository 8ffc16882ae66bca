import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';

/** One record for the broker, all text: the outbox stores envelopes as JSON. */
export interface ProducedRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Idempotent (acks from all replicas), one request in flight: per-partition order survives
 * retries. Keys are placed with Java's murmur2 partitioner, the one kafkajs's default and Kafka's
 * own clients use, so every producer of a topic puts a key on the same partition. Topics are never
 * auto-created. @platformatic/kafka, not kafkajs: it is maintained, and its produce path costs the
 * client less CPU per message (ADR-0012, with figures).
 */
export class RecordProducer {
  private readonly producer: Producer<string, string, string, string>;

  constructor(clientId: string, brokers: readonly string[]) {
    this.producer = new Producer({
      clientId,
      bootstrapBrokers: [...brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      maxInflights: 1,
      autocreateTopics: false,
      partitioner: compatibilityPartitioner,
      serializers: stringSerializers,
      connectTimeout: 5_000,
      retries: 8,
      retryDelay: 200,
    });
  }

  async send(records: readonly ProducedRecord[]): Promise<void> {
    await this.producer.send({ messages: [...records] });
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}

/** Whether the broker answered with one of these errors (by Kafka's name), anywhere in a client error. */
export function hasBrokerError(error: unknown, names: ReadonlySet<string>): boolean {
  const seen = new Set<unknown>();
  const walk = (e: unknown): boolean => {
    if (!e || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const { apiId, errors, cause } = e as { apiId?: unknown; errors?: unknown; cause?: unknown };
    if (typeof apiId === 'string' && names.has(apiId)) return true;
    if (Array.isArray(errors) && errors.some(walk)) return true;
    return walk(cause);
  };
  return walk(error);
}
