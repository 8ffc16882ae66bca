import { Client } from 'pg';
import { resultsSql } from '../../apps/executor/src/execution/result-recorder';
import { EXECUTOR_SCHEMA } from '../../apps/executor/src/executor.schema';
import { GATEWAY_SCHEMA } from '../../apps/gateway/src/gateway.schema';
import { submissionsSql } from '../../apps/gateway/src/service-calls/service-call-submissions';
import { migrateAll } from '../../tools/migrate-all';
import { createTestDatabase } from '../support/test-database';

/**
 * The batch statements on tables that grow with every call must find their rows by key, whatever
 * the batch: planned for the 100 rows Postgres assumes `jsonb_to_recordset` returns, a join scanned
 * the whole table for every batch, a cost that grew through a benchmark run. Checked on the generic
 * plan (the one a named statement keeps) over tables holding 20,000 rows.
 */
describe('batch statements on growing tables (real Postgres)', () => {
  let db: Client;

  beforeAll(async () => {
    const url = await createTestDatabase('statement_plans');
    await migrateAll(url);
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query(
      `INSERT INTO "${GATEWAY_SCHEMA}".idempotency_keys (tenant_id, idempotency_key, request_hash, service_call_id, accepted)
       SELECT 'tenant-a', 'key-' || g, 'hash', 'call-' || g, '{}' FROM generate_series(1, 20000) g`,
    );
    await db.query(
      `INSERT INTO "${EXECUTOR_SCHEMA}".attempts (tenant_id, service_call_id, attempt, execution_message_id, correlation_id, started_at, finished_at, result)
       SELECT 'tenant-a', 'call-' || g, 1, 'm-' || g, 'c-' || g, now(), CASE WHEN g > 20 THEN now() END, '{}' FROM generate_series(1, 20000) g`,
    );
    await db.query(`ANALYZE`);
    await db.query(`SET plan_cache_mode = force_generic_plan`);
  });

  afterAll(() => db.end());

  async function genericPlan(sql: string): Promise<string> {
    await db.query(`PREPARE statement_under_test(jsonb) AS ${sql}`);
    try {
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE statement_under_test('[]')`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await db.query(`DEALLOCATE statement_under_test`);
    }
  }

  it("the gateway's submissions look up earlier uses of their idempotency keys by key", async () => {
    const plan = await genericPlan(submissionsSql(GATEWAY_SCHEMA));
    expect(plan).toMatch(/Index Scan using idempotency_keys_pkey on idempotency_keys/);
    expect(plan).not.toMatch(/Seq Scan on idempotency_keys/);
  });

  it("the executor's results find their unfinished attempts through the index of unfinished ones", async () => {
    const plan = await genericPlan(resultsSql(EXECUTOR_SCHEMA));
    expect(plan).toMatch(/Index Scan using attempts_unfinished_idx on attempts/);
    expect(plan).not.toMatch(/Seq Scan on attempts/);
  });
});
