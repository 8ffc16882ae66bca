export interface CheckpointPosition {
  readonly projection: string;
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
export const advanceCheckpointSql = (schema: string, first: number): string =>
  `INSERT INTO "${schema}".checkpoints (projection, topic, partition, "offset")
   VALUES ($${first}, $${first + 1}, $${first + 2}, $${first + 3})
   ON CONFLICT (projection, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now()
   WHERE checkpoints."offset" < EXCLUDED."offset"`;

/** The parameters of advanceCheckpointSql, in order. */
export const checkpointValues = (at: CheckpointPosition): unknown[] => [at.projection, at.topic, at.partition, at.offset];
