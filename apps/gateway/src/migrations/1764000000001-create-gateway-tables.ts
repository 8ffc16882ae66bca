import { createOutboxTableSql, dropOutboxTableSql } from '@app/common/outbox';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { GATEWAY_SCHEMA as S } from '../gateway.schema';

export class CreateGatewayTables1764000000001 implements MigrationInterface {
  name = 'CreateGatewayTables1764000000001';

  async up(q: QueryRunner): Promise<void> {
    // The accepted request, keyed by the tenant's Idempotency-Key; written with the outbox row.
    await q.query(`CREATE TABLE "${S}".idempotency_keys (
      tenant_id text NOT NULL,
      idempotency_key text NOT NULL,
      request_hash text NOT NULL,
      service_call_id text NOT NULL,
      accepted jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, idempotency_key)
    )`);
    await q.query(`CREATE UNIQUE INDEX idempotency_keys_call_idx ON "${S}".idempotency_keys (tenant_id, service_call_id)`);
    for (const sql of createOutboxTableSql(S)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropOutboxTableSql(S));
    await q.query(`DROP TABLE IF EXISTS "${S}".idempotency_keys`);
  }
}
