import { Kafka } from 'kafkajs';

/**
 * Topics are created explicitly (brokers run with auto-creation off); existing ones are left alone.
 * This is every app's first contact with the brokers, so an unreachable cluster is reported here,
 * after a few quick retries, as one line naming KAFKA_BROKERS.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 2_000 } });
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new Error(`KAFKA_BROKERS: cannot reach the brokers (${error instanceof Error ? error.message : String(error)})`);
  }
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
