import { Client } from 'pg';
import { resultsSql } from '../../apps/executor/src/execution/result-recorder';
import { EXECUTOR_SCHEMA } from '../../apps/executor/src/executor.schema';
import { GATEWAY_SCHEMA } from '../../apps/gateway/src/gateway.schema';
import { submissionsSql } from '../../apps/gateway/src/service-calls/service-call-submissions';
import { loadViewsSql } from '../../apps/projector/src/service-calls/service-call-views';
import { PROJECTOR_SCHEMA } from '../../apps/projector/src/projector.schema';
import { readBatchSql, readStreamsSql } from '../../apps/scheduler-core/src/event-store/postgres-event-store';
import { SCHEDULER_CORE_SCHEMA } from '../../apps/scheduler-core/src/scheduler-core.schema';
import { migrateAll } from '../../tools/migrate-all';
import { createTestDatabase } from '../support/test-database';

/**
 * The batch statements on tables that grow with every call must find their rows by key, whatever
 * the batch and whatever the table's size: planned for the 100 rows Postgres assumes
 * `jsonb_to_recordset` or an array parameter returns, a join scanned the whole table for every
 * batch. Checked on the generic plan (the one a named statement keeps). The joins scanned at every
 * size for the gateway and executor statements (20,000 rows here), and up to a few thousand rows
 * for the two key lookups (2,000 events, 1,000 views here; by 6,000 rows their plans turned to the
 * index by themselves).
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
    await db.query(
      `INSERT INTO "${SCHEDULER_CORE_SCHEMA}".events (tenant_id, stream_id, version, event_id, type, data, metadata)
       SELECT 'tenant-a', 'call-' || (g / 4), g % 4 + 1, gen_random_uuid(), 'ServiceCallSubmitted', '{}', '{}'
         FROM generate_series(0, 1999) g`,
    );
    await db.query(
      `INSERT INTO "${PROJECTOR_SCHEMA}".service_calls (tenant_id, id, status, method, url, headers, timeout_ms, created_at, updated_at, version)
       SELECT 'tenant-a', 'call-' || g, 'Succeeded', 'GET', 'http://x', '{}', 1000, now(), now(), 3 FROM generate_series(1, 1000) g`,
    );
    await db.query(`ANALYZE`);
    await db.query(`SET plan_cache_mode = force_generic_plan`);
  });

  afterAll(() => db.end());

  async function genericPlan(sql: string, parameters: 'jsonb' | 'keys' | 'ids and keys' = 'jsonb'): Promise<string> {
    const [types, values] = {
      jsonb: ['jsonb', `'[]'`],
      keys: ['text[], text[]', `'{}', '{}'`],
      'ids and keys': ['text[], text[], text[]', `'{}', '{}', '{}'`],
    }[parameters];
    await db.query(`PREPARE statement_under_test(${types}) AS ${sql}`);
    try {
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE statement_under_test(${values})`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await db.query(`DEALLOCATE statement_under_test`);
    }
  }

  it.each([
    {
      statement: "the gateway's submissions look up earlier uses of their idempotency keys",
      sql: submissionsSql(GATEWAY_SCHEMA),
      parameters: 'jsonb' as const,
      index: 'idempotency_keys_pkey',
      table: 'idempotency_keys',
    },
    {
      statement: "the executor's results find their unfinished attempts (and update them by row id)",
      sql: resultsSql(EXECUTOR_SCHEMA),
      parameters: 'jsonb' as const,
      index: 'attempts_unfinished_idx',
      table: 'attempts',
    },
    {
      statement: "scheduler-core reads a batch's streams",
      sql: readStreamsSql(SCHEDULER_CORE_SCHEMA),
      parameters: 'keys' as const,
      index: 'events_stream_version_key',
      table: 'events',
    },
    {
      statement: "scheduler-core's first statement of a batch (processed messages and stream reads) reads the streams",
      sql: readBatchSql(SCHEDULER_CORE_SCHEMA),
      parameters: 'ids and keys' as const,
      index: 'events_stream_version_key',
      table: 'events',
    },
    {
      statement: "the projector loads a batch's views",
      sql: loadViewsSql(PROJECTOR_SCHEMA),
      parameters: 'keys' as const,
      index: 'service_calls_pkey',
      table: 'service_calls',
    },
  ])('$statement through $index, one lookup per key', async ({ sql, parameters, index, table }) => {
    const plan = await genericPlan(sql, parameters);
    // Looked up by the key: an index scan with no condition on it reads every entry, dead ones included.
    expect(plan).toMatch(new RegExp(`Index Scan using ${index} on ${table}.*\\n\\s+Index Cond: \\(\\(tenant_id = `));
    expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}`));
  });
});
