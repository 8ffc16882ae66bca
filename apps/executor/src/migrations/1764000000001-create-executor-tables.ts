import { createOutboxTableSql, dropOutboxTableSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';

export class CreateExecutorTables1764000000001 implements MigrationInterface {
  name = 'CreateExecutorTables1764000000001';

  async up(q: QueryRunner): Promise<void> {
    // One row per attempt, written before the call goes out: it is what keeps a redelivery from calling twice.
    await q.query(`CREATE TABLE "${S}".attempts (
      tenant_id text NOT NULL,
      service_call_id text NOT NULL,
      attempt integer NOT NULL,
      execution_message_id text NOT NULL,
      correlation_id text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      result jsonb,
      PRIMARY KEY (tenant_id, service_call_id, attempt)
    )`);
    for (const sql of createOutboxTableSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropOutboxTableSql(S));
    await q.query(`DROP TABLE IF EXISTS "${S}".attempts`);
  }
}
