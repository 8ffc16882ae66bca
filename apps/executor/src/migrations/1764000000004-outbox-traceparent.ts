import { addOutboxTraceparentSql, dropOutboxTraceparentSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';

/** The trace context each outbox row continues (NULL while tracing is off). */
export class OutboxTraceparent1764000000004 implements MigrationInterface {
  name = 'OutboxTraceparent1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(addOutboxTraceparentSql(S));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropOutboxTraceparentSql(S));
  }
}
