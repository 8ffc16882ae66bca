import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';
import { namedQuery } from '@app/common/database';

export interface CheckpointPosition {
  readonly projection: string;
  /** The physical topic (with its prefix), as the broker names it. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The highest offset applied per partition, written in the same transaction as the views: progress
 * for operators and rebuilds, so a redelivery never moves it back. It never decides what to skip
 * (the views' version guard makes applying an event twice harmless), so a topic recreated under the
 * same name loses nothing; its rows only read high until its offsets pass them (the runbook says to
 * delete them after recreating topics).
 */
export class ProjectionCheckpoints {
  async advance(manager: EntityManager, at: CheckpointPosition): Promise<void> {
    await namedQuery(
      manager,
      `INSERT INTO "${S}".checkpoints (projection, topic, partition, "offset") VALUES ($1, $2, $3, $4)
       ON CONFLICT (projection, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now()
       WHERE checkpoints."offset" < EXCLUDED."offset"`,
      [at.projection, at.topic, at.partition, at.offset],
    );
  }
}
