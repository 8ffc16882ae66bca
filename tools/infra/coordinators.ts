import { Kafka, logLevel } from '../../libs/common/src/messaging/kafkajs';

/**
 * A fresh broker creates __consumer_offsets on the first group request and then loads each of its
 * partitions; a consumer that joins meanwhile hears "the coordinator is loading", which kafkajs can
 * turn into a consumer crash (the same goes, more mildly, for a producer's first producer id).
 * Asking about one group per partition and starting one idempotent producer, with retries, waits that out.
 */
export async function waitForCoordinators(address: string, offsetsPartitions: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'scs-infra',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await admin.connect();
    await admin.describeGroups(groupIdsCovering(offsetsPartitions));
    await producer.connect();
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}

/** Kafka keeps a group on partition (groupId.hashCode() & 0x7fffffff) % partitions of __consumer_offsets. */
function groupIdsCovering(partitions: number): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const groupId = `scs-warm-up-${i}`;
    const partition = (javaStringHash(groupId) & 0x7fffffff) % partitions;
    if (!byPartition.has(partition)) byPartition.set(partition, groupId);
  }
  return [...byPartition.values()];
}

function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}
