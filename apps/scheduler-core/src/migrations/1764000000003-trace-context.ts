import { addOutboxTraceparentSql, dropOutboxTraceparentSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';

/** The trace context each outbox row and timer continues (NULL while tracing is off): a timer fires outside any span. */
export class TraceContext1764000000003 implements MigrationInterface {
  name = 'TraceContext1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(addOutboxTraceparentSql(S));
    await q.query(`ALTER TABLE "${S}".timers ADD COLUMN traceparent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${S}".timers DROP COLUMN IF EXISTS traceparent`);
    await q.query(dropOutboxTraceparentSql(S));
  }
}
