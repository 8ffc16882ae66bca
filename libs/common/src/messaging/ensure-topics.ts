import { Admin, Kafka } from './kafkajs';

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
    throw new Error(`KAFKA_BROKERS: cannot reach the brokers (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin
        .createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
        })
        .catch((error: unknown) => {
          // Another app or replica may have created them in between.
          if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
        });
    }
    await untilEveryPartitionHasALeader(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Right after creation (here or by another process) a topic may be unknown to the broker's
 * metadata for a moment, which kafkajs's own waitForLeaders treats as fatal; a consumer or
 * producer started then fails with "does not host this topic-partition". So wait here, retrying.
 */
async function untilEveryPartitionHasALeader(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
