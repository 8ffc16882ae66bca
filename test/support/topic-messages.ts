import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from '@app/common/messaging/kafkajs';

/** Every message value now in `topics`, read from the beginning by a throwaway consumer group. */
export async function topicMessages(brokers: string, topics: readonly string[], timeoutMs = 20_000): Promise<string[]> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const values: string[] = [];
  if (remaining.size === 0) return values;
  const consumer = kafka.consumer({ groupId: `test-topic-reader-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`topics not read to their end in ${timeoutMs} ms: ${[...remaining.keys()].join(', ')}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          values.push(message.value?.toString('utf8') ?? '');
          const key = `${topic}/${partition}`;
          if (remaining.has(key) && BigInt(message.offset) + 1n >= remaining.get(key)!) remaining.delete(key);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
