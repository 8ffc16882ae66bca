import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually } from '../../../test/support/eventually';
import { RETRY_AFTER_SECONDS } from '../src/http/api-exception.filter';
import { bearer, GatewayHarness, startGateway, TENANT_A } from './testing/gateway-harness';
import { countIdempotencyKeys, outboxRows } from './testing/gateway-tables';
import { StoppablePostgres, startStoppablePostgres } from './testing/stoppable-postgres';
import { poster, validBody } from './testing/submission';

/**
 * The gateway on a Postgres server of this suite's own, which the test stops, starts again, and
 * whose backends it terminates mid-transaction: the gateway answers 503 with Retry-After, never
 * 500, and has accepted nothing.
 */
describe('gateway while its database is unreachable (real Postgres, stopped and restarted)', () => {
  let postgres: StoppablePostgres;
  let gw: GatewayHarness;
  const post = poster(() => gw);
  const authed = (method: 'get' | 'delete', path: string) => gw.http()[method](path).set('Authorization', bearer(TENANT_A));

  beforeAll(async () => {
    postgres = await startStoppablePostgres(`test_gateway_database_down_${randomUUID().slice(0, 8)}`);
    gw = await startGateway('gateway_database_down', postgres.databaseUrl);
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await postgres?.destroy();
  });

  const expectUnavailable = (res: { status: number; headers: Record<string, string>; body: unknown }, requestId: string) => {
    expect({ status: res.status, body: res.body }).toEqual({
      status: 503,
      body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) }, meta: { requestId } },
    });
    expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(res.headers['x-request-id']).toBe(requestId);
  };

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After on every route while the server is down, then works once it is back', async () => {
    const warm = await post(validBody());
    expect(warm.status).toBe(202);
    const warmId: string = warm.body.data.id;
    const key = `while-down-${randomUUID()}`;

    await postgres.stop();
    try {
      expectUnavailable(await post(validBody(), key).set('X-Request-Id', 'req-down-post'), 'req-down-post');
      expectUnavailable(
        await authed('get', `/v1/service-calls/${warmId}`).set('X-Request-Id', 'req-down-get'),
        'req-down-get',
      );
      expectUnavailable(
        await authed('get', '/v1/service-calls?status=Accepted').set('X-Request-Id', 'req-down-list'),
        'req-down-list',
      );
      expectUnavailable(
        await authed('delete', `/v1/service-calls/${warmId}`).set('X-Request-Id', 'req-down-delete'),
        'req-down-delete',
      );
      expect((await gw.http().get('/health/ready')).status).toBe(503);
    } finally {
      await postgres.start();
    }

    // The refused submit left no idempotency row: the same key is accepted afresh, not replayed.
    const retried = await eventually('the gateway to accept again', async () => {
      const res = await post(validBody(), key);
      return res.status === 202 ? res : undefined;
    });
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(retried.body.data.id).not.toBe(warmId);
    expect(await countIdempotencyKeys(gw.db)).toBe(2);
    const outbox = await outboxRows(gw.db);
    expect(outbox.map((r) => [r.envelope.type, r.envelope.aggregateId])).toEqual([
      ['SubmitServiceCall', warmId],
      ['SubmitServiceCall', retried.body.data.id],
    ]);
    expect((await authed('get', `/v1/service-calls/${warmId}`)).status).toBe(200);
  });

  it('answers 503 when its connection is terminated mid-transaction, and the transaction left nothing behind', async () => {
    const admin = new Client({ connectionString: postgres.databaseUrl });
    await admin.connect();
    try {
      const keysBefore = await countIdempotencyKeys(gw.db);
      const outboxBefore = (await outboxRows(gw.db)).length;
      // Hold the idempotency table so the submit's INSERT waits inside its transaction.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE gateway.idempotency_keys IN ACCESS EXCLUSIVE MODE');
      const key = `terminated-${randomUUID()}`;
      const pending = post(validBody(), key)
        .set('X-Request-Id', 'req-terminated')
        .then((res) => res);
      const terminated = await eventually('the submit to wait on the lock', async () => {
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
        );
        return rows.length > 0 ? rows : undefined;
      });
      expect(terminated).toEqual([{ done: true }]);
      await admin.query('ROLLBACK');

      expectUnavailable(await pending, 'req-terminated');
      expect(await countIdempotencyKeys(gw.db)).toBe(keysBefore);
      expect(await outboxRows(gw.db)).toHaveLength(outboxBefore);
      const retried = await post(validBody(), key);
      expect(retried.status).toBe(202);
    } finally {
      await admin.end();
    }
  });
});
