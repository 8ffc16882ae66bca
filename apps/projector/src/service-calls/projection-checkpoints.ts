export interface CheckpointPosition {
  /** The physical topic (with its prefix), as the broker names it. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The highest offset applied per partition, written in the same statement as the views: progress
 * for operators and rebuilds, so a redelivery never moves it back. It never decides what to skip
 * (the views' version guard makes applying an event twice harmless), so a topic recreated under the
 * same name loses nothing; its rows only read high until its offsets pass them (the runbook says to
 * delete them after recreating topics).
 */
export const advanceCheckpointsSql = (schema: string, first: number): string =>
  `INSERT INTO "${schema}".checkpoints (projection, topic, partition, "offset")
   SELECT $${first}, c.topic, c.partition, c."offset"
     FROM unnest($${first + 1}::text[], $${first + 2}::int[], $${first + 3}::bigint[]) AS c(topic, partition, "offset")
   ON CONFLICT (projection, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now()
   WHERE checkpoints."offset" < EXCLUDED."offset"`;

/** The parameters of advanceCheckpointsSql, in order: one position per partition (a row may be upserted once per statement). */
export const checkpointValues = (projection: string, positions: readonly CheckpointPosition[]): unknown[] => [
  projection,
  positions.map((p) => p.topic),
  positions.map((p) => p.partition),
  positions.map((p) => p.offset),
];

/**
 * The highest offset of each topic partition among the records, which a batch may take from
 * several partitions (the transport joins partitions' batches that arrive together).
 */
export function lastPositions(
  records: readonly { physicalTopic: string; partition: number; offset: string }[],
): CheckpointPosition[] {
  const last = new Map<string, CheckpointPosition>();
  for (const { physicalTopic: topic, partition, offset } of records) {
    const key = `${topic}\u0000${partition}`;
    const seen = last.get(key);
    if (!seen || BigInt(offset) > BigInt(seen.offset)) last.set(key, { topic, partition, offset });
  }
  return [...last.values()];
}
