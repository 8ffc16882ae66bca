import { createInboxTableSql, dropInboxTableSql } from '@app/common/inbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';

export class CreateProjectorTables1764000000001 implements MigrationInterface {
  name = 'CreateProjectorTables1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${S}".service_calls (
      tenant_id text NOT NULL,
      id text NOT NULL,
      status text NOT NULL,
      method text NOT NULL,
      url text NOT NULL,
      headers jsonb NOT NULL,
      tags text[] NOT NULL DEFAULT '{}',
      due_at timestamptz,
      timeout_ms integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      started_at timestamptz,
      finished_at timestamptz,
      result jsonb,
      version integer NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`);
    await q.query(
      `CREATE INDEX service_calls_tenant_created_idx ON "${S}".service_calls (tenant_id, created_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX service_calls_tags_idx ON "${S}".service_calls USING gin (tags)`);
    await q.query(`CREATE TABLE "${S}".checkpoints (
      projection text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      "offset" bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, topic, partition)
    )`);
    await q.query(createInboxTableSql(S));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropInboxTableSql(S));
    await q.query(`DROP TABLE IF EXISTS "${S}".checkpoints`);
    await q.query(`DROP TABLE IF EXISTS "${S}".service_calls`);
  }
}
