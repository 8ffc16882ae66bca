import { randomUUID } from 'node:crypto';
import { IHeaders, Kafka, logLevel } from '@app/common/messaging/kafkajs';

export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: IHeaders;
}

/**
 * Every record on a topic, from its beginning to the end it had when called (tests that check what
 * was published read the topic: published outbox rows are deleted). Gives up after `timeoutMs`
 * with what it read.
 */
export async function readTopicToEnd(brokers: readonly string[], topic: string, timeoutMs = 30_000): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: 'test-topic-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  await admin.disconnect();
  const records: TopicRecord[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: `test-topic-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) =>
        void records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: message.headers ?? {},
        }),
    });
    const deadline = Date.now() + timeoutMs;
    while (records.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return records;
  } finally {
    await consumer.disconnect();
  }
}
