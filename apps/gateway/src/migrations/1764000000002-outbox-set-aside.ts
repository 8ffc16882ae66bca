import { addOutboxSetAsideSql, dropOutboxSetAsideSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { GATEWAY_SCHEMA as S } from '../gateway.schema';

export class OutboxSetAside1764000000002 implements MigrationInterface {
  name = 'OutboxSetAside1764000000002';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of addOutboxSetAsideSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropOutboxSetAsideSql(S));
  }
}
