import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage } from '@app/common/messaging/kafkajs';

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface ReadOptions {
  /** Prefix for the throwaway consumer group (KAFKA_TOPIC_PREFIX, so shared clusters stay tidy). */
  readonly groupPrefix: string;
  /** Only this partition of the (single) topic; the others are skipped as soon as they are assigned. */
  readonly partition?: number;
  readonly timeoutMs?: number;
}

/**
 * Reads the topics from the beginning up to the high watermarks taken at the start, then stops.
 * kafkajs cannot assign partitions by hand, so it joins a fresh random group that never commits
 * an offset, and deletes that group afterwards: nothing is left behind on the cluster.
 */
export async function readTopicsToEnd(kafka: Kafka, topics: readonly string[], options: ReadOptions): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${options.groupPrefix}dlq-tool-${randomUUID()}`;
  try {
    const ends = new Map<string, bigint>();
    // A DLQ the apps have not created yet holds nothing.
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (options.partition !== undefined && p.partition !== options.partition) continue;
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
    if (ends.size === 0) return [];
    const records = await consumeUntil(kafka, groupId, topics, ends, options.timeoutMs ?? 60_000);
    return records.sort(
      (a, b) =>
        a.topic.localeCompare(b.topic) ||
        a.partition - b.partition ||
        Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
    );
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function consumeUntil(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
  ends: Map<string, bigint>,
  timeoutMs: number,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  const records: ReadRecord[] = [];
  const done = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`reading ${topics.join(', ')} did not reach the end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          partitionsConsumedConcurrently: 4,
          eachBatch: async ({ batch }) => {
            const key = `${batch.topic}:${batch.partition}`;
            const end = ends.get(key);
            if (end === undefined || done.has(key)) return;
            for (const message of batch.messages) {
              if (BigInt(message.offset) < end) records.push({ topic: batch.topic, partition: batch.partition, message });
            }
            if (BigInt(batch.lastOffset()) + 1n >= end) done.add(key);
            if (done.size === ends.size) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
}
