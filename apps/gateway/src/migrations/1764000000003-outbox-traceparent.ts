import { addOutboxTraceparentSql, dropOutboxTraceparentSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { GATEWAY_SCHEMA as S } from '../gateway.schema';

/** The trace context each outbox row continues (NULL while tracing is off). */
export class OutboxTraceparent1764000000003 implements MigrationInterface {
  name = 'OutboxTraceparent1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(addOutboxTraceparentSql(S));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropOutboxTraceparentSql(S));
  }
}
