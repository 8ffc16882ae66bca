import { Kafka } from 'kafkajs';

/** Topics are created explicitly (brokers run with auto-creation off); existing ones are left alone. */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
    });
  } catch (error) {
    // Another replica may have created them in between.
    if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
  } finally {
    await admin.disconnect();
  }
}
