import { createInboxTableSql, dropInboxTableSql } from '@app/common/inbox';
import { createOutboxTableSql, dropOutboxTableSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';

export class CreateSchedulerCoreTables1764000000001 implements MigrationInterface {
  name = 'CreateSchedulerCoreTables1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${S}".events (
      global_position bigserial PRIMARY KEY,
      tenant_id text NOT NULL,
      stream_id text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      event_id uuid NOT NULL UNIQUE,
      type text NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_stream_version_key UNIQUE (tenant_id, stream_id, version)
    )`);
    await q.query(`CREATE TABLE "${S}".timers (
      tenant_id text NOT NULL,
      service_call_id text NOT NULL,
      due_at timestamptz NOT NULL,
      correlation_id text NOT NULL,
      causation_id text NOT NULL,
      PRIMARY KEY (tenant_id, service_call_id)
    )`);
    await q.query(`CREATE INDEX timers_due_at_idx ON "${S}".timers (due_at)`);
    await q.query(createInboxTableSql(S));
    for (const sql of createOutboxTableSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropOutboxTableSql(S));
    await q.query(dropInboxTableSql(S));
    await q.query(`DROP TABLE IF EXISTS "${S}".timers`);
    await q.query(`DROP TABLE IF EXISTS "${S}".events`);
  }
}
