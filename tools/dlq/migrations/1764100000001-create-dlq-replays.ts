import { MigrationInterface, QueryRunner } from 'typeorm';
import { REPAIR_SCHEMA as S } from '../repair.schema';

export class CreateDlqReplays1764100000001 implements MigrationInterface {
  name = 'CreateDlqReplays1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${S}".dlq_replays (
      dlq_topic text NOT NULL,
      dlq_partition integer NOT NULL,
      dlq_offset bigint NOT NULL,
      original_topic text NOT NULL,
      message_id text,
      replayed_at timestamptz NOT NULL DEFAULT now(),
      replayed_by text NOT NULL,
      PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS "${S}".dlq_replays`);
  }
}
