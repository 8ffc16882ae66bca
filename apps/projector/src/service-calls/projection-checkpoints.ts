import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';

export interface CheckpointPosition {
  readonly projection: string;
  /** The physical topic (with its prefix): a recreated or renamed topic never shares a position with the old one. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The last offset applied per partition, written in the same transaction as the views. It records
 * progress (for operators and rebuilds); it never decides what to skip: the views' version guard
 * makes applying an event twice harmless, so nothing is skipped on the checkpoint's word.
 */
export class ProjectionCheckpoints {
  async advance(manager: EntityManager, at: CheckpointPosition): Promise<void> {
    await manager.query(
      `INSERT INTO "${S}".checkpoints (projection, topic, partition, "offset") VALUES ($1, $2, $3, $4)
       ON CONFLICT (projection, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now()
       WHERE checkpoints."offset" < EXCLUDED."offset"`,
      [at.projection, at.topic, at.partition, at.offset],
    );
  }
}
