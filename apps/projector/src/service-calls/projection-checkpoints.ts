import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';

export interface CheckpointPosition {
  readonly projection: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * The last offset applied per partition, written in the same transaction as the view. A record at
 * or below it was applied already (its Kafka commit may have been lost in a crash) and is skipped.
 */
export class ProjectionCheckpoints {
  async isApplied(manager: EntityManager, at: CheckpointPosition): Promise<boolean> {
    const rows: { offset: string }[] = await manager.query(
      `SELECT "offset" FROM "${S}".checkpoints WHERE projection = $1 AND topic = $2 AND partition = $3`,
      [at.projection, at.topic, at.partition],
    );
    return rows.length === 1 && BigInt(rows[0].offset) >= BigInt(at.offset);
  }

  async advance(manager: EntityManager, at: CheckpointPosition): Promise<void> {
    await manager.query(
      `INSERT INTO "${S}".checkpoints (projection, topic, partition, "offset") VALUES ($1, $2, $3, $4)
       ON CONFLICT (projection, topic, partition) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now()
       WHERE checkpoints."offset" < EXCLUDED."offset"`,
      [at.projection, at.topic, at.partition, at.offset],
    );
  }
}
