import { randomUUID } from 'node:crypto';
import { bearer, GatewayHarness, startGateway, TENANT_A, TENANT_B } from './testing/gateway-harness';
import { countOutbox, insertProjectedCall, outboxRows } from './testing/gateway-tables';

const submission = {
  target: {
    method: 'PUT',
    url: 'https://api.example.com/orders/7?api_key=s3cret-9f&page=2',
    headers: { 'X-Api-Key': 's3cret-header-1', Accept: 'application/json' },
    body: 'hello',
  },
  dueAt: '2026-11-23T10:00:00+02:00',
  tags: ['orders', 'eu'],
  timeoutMs: 2500,
};

describe('gateway GET and DELETE /v1/service-calls/{id} (real Postgres)', () => {
  let gw: GatewayHarness;

  beforeAll(async () => {
    gw = await startGateway('gateway_read_cancel');
  });

  afterAll(async () => {
    await gw?.close();
  });

  const as = (tenant: { key: string }) => ({
    get: (path: string) => gw.http().get(path).set('Authorization', bearer(tenant)),
    delete: (path: string) => gw.http().delete(path).set('Authorization', bearer(tenant)),
  });

  async function submit(tenant: { key: string } = TENANT_A): Promise<string> {
    const res = await gw
      .http()
      .post('/v1/service-calls')
      .set('Authorization', bearer(tenant))
      .set('Idempotency-Key', randomUUID())
      .send(submission);
    expect(res.status).toBe(202);
    return res.body.data.id;
  }

  describe('GET /v1/service-calls/{id}', () => {
    it('answers an accepted call that is not yet projected with status Accepted, redacted target, tags, dueAt and timeoutMs', async () => {
      const before = Date.now();
      const id = await submit();
      const res = await as(TENANT_A).get(`/v1/service-calls/${id}`).set('X-Request-Id', 'req-get-1');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: {
          id,
          status: 'Accepted',
          target: {
            method: 'PUT',
            url: 'https://api.example.com/orders/7?api_key=[REDACTED]&page=2',
            headers: { 'x-api-key': '[REDACTED]', accept: 'application/json' },
          },
          tags: ['orders', 'eu'],
          dueAt: '2026-11-23T08:00:00.000Z',
          timeoutMs: 2500,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
          attempts: 0,
          startedAt: null,
          finishedAt: null,
          result: null,
        },
        meta: { requestId: 'req-get-1' },
      });
      expect(Date.parse(res.body.data.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(JSON.stringify(res.body)).not.toMatch(/s3cret/);
    });

    it("answers 404 NOT_FOUND (never 403) for another tenant's call and an unknown id", async () => {
      const id = await submit(TENANT_A);
      for (const path of [`/v1/service-calls/${id}`, `/v1/service-calls/${randomUUID()}`]) {
        const tenant = path.endsWith(id) ? TENANT_B : TENANT_A;
        const res = await as(tenant).get(path).set('X-Request-Id', 'req-404');
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(res.body).toEqual({
          error: { code: 'NOT_FOUND', message: expect.any(String) },
          meta: { requestId: 'req-404' },
        });
      }
    });

    it.each([
      'not-a-uuid',
      "1'%20OR%20'1'='1",
      '0b4a3f50-1f0e-4b53-9a35-4f3f0b9f2a1',
      '0b4a3f50-1f0e-4b53-9a35-4f3f0b9f2a11x',
    ])('answers 400 VALIDATION_FAILED naming id for the malformed id %s', async (id) => {
      const res = await as(TENANT_A).get(`/v1/service-calls/${id}`).set('X-Request-Id', 'req-bad-id');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: [{ field: 'id', problems: ['id must be a UUID'] }],
        },
        meta: { requestId: 'req-bad-id' },
      });
    });

    it('finds a call whatever the case of its id', async () => {
      const id = await submit();
      const res = await as(TENANT_A).get(`/v1/service-calls/${id.toUpperCase()}`);
      expect(res.status).toBe(200);
      expect(res.body.data.id).toBe(id);
    });

    it('answers the projected status, attempts and result once the read model holds the call', async () => {
      const id = await submit();
      const result = {
        statusCode: 201,
        latencyMs: 37,
        responseSnippet: '{"ok":true}',
        responseHeaders: { 'content-type': 'application/json' },
        error: null,
      };
      await insertProjectedCall(gw.db, {
        tenantId: TENANT_A.tenantId,
        id,
        status: 'Succeeded',
        method: 'PUT',
        url: 'https://api.example.com/orders/7?api_key=[REDACTED]&page=2',
        headers: { 'x-api-key': '[REDACTED]' },
        tags: ['orders', 'eu'],
        dueAt: '2026-11-23T08:00:00.000Z',
        timeoutMs: 2500,
        createdAt: '2026-11-20T09:00:00.000Z',
        updatedAt: '2026-11-23T08:00:01.500Z',
        attempts: 1,
        startedAt: '2026-11-23T08:00:01.000Z',
        finishedAt: '2026-11-23T08:00:01.037Z',
        result,
        version: 4,
      });

      const res = await as(TENANT_A).get(`/v1/service-calls/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({
        id,
        status: 'Succeeded',
        target: {
          method: 'PUT',
          url: 'https://api.example.com/orders/7?api_key=[REDACTED]&page=2',
          headers: { 'x-api-key': '[REDACTED]' },
        },
        tags: ['orders', 'eu'],
        dueAt: '2026-11-23T08:00:00.000Z',
        timeoutMs: 2500,
        createdAt: '2026-11-20T09:00:00.000Z',
        updatedAt: '2026-11-23T08:00:01.500Z',
        attempts: 1,
        startedAt: '2026-11-23T08:00:01.000Z',
        finishedAt: '2026-11-23T08:00:01.037Z',
        result,
      });
      expect((await as(TENANT_B).get(`/v1/service-calls/${id}`)).status).toBe(404);
    });

    it('answers a failed call with its error result', async () => {
      const id = await insertProjectedCall(gw.db, {
        tenantId: TENANT_A.tenantId,
        status: 'Failed',
        createdAt: '2026-11-20T10:00:00.000Z',
        attempts: 1,
        result: {
          statusCode: null,
          latencyMs: 10000,
          responseSnippet: null,
          responseHeaders: {},
          error: { code: 'TIMEOUT', message: 'no answer within 10000 ms' },
        },
      });
      const res = await as(TENANT_A).get(`/v1/service-calls/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'Failed', result: { statusCode: null, error: { code: 'TIMEOUT' } } });
    });

    it('replays a POST with the projected status', async () => {
      const key = randomUUID();
      const first = await gw
        .http()
        .post('/v1/service-calls')
        .set('Authorization', bearer(TENANT_A))
        .set('Idempotency-Key', key)
        .send(submission);
      await insertProjectedCall(gw.db, {
        tenantId: TENANT_A.tenantId,
        id: first.body.data.id,
        status: 'Scheduled',
        createdAt: new Date().toISOString(),
      });
      const again = await gw
        .http()
        .post('/v1/service-calls')
        .set('Authorization', bearer(TENANT_A))
        .set('Idempotency-Key', key)
        .send(submission);
      expect(again.status).toBe(200);
      expect(again.body.data).toEqual({ id: first.body.data.id, status: 'Scheduled' });
    });
  });

  describe('DELETE /v1/service-calls/{id}', () => {
    it('answers 202 for an accepted call and writes one CancelServiceCall to the outbox', async () => {
      const id = await submit();
      const before = await outboxRows(gw.db);
      const res = await as(TENANT_A)
        .delete(`/v1/service-calls/${id}`)
        .set('X-Request-Id', 'req-cancel-1')
        .set('X-Correlation-Id', 'corr-cancel-1');

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ data: { id, status: expect.any(String) }, meta: { requestId: 'req-cancel-1' } });
      const added = (await outboxRows(gw.db)).slice(before.length);
      expect(added).toHaveLength(1);
      expect(added[0].topic).toBe('scheduler.commands.v1');
      expect(added[0].messageKey).toBe(id);
      expect(added[0].envelope).toMatchObject({
        type: 'CancelServiceCall',
        tenantId: TENANT_A.tenantId,
        aggregateId: id,
        correlationId: 'corr-cancel-1',
        causationId: 'req-cancel-1',
        payload: { serviceCallId: id, requestedAt: expect.any(String) },
      });
    });

    it('answers 202 for a projected Scheduled call', async () => {
      const id = await insertProjectedCall(gw.db, {
        tenantId: TENANT_A.tenantId,
        status: 'Scheduled',
        createdAt: '2026-11-20T11:00:00.000Z',
      });
      const before = await countOutbox(gw.db);
      expect((await as(TENANT_A).delete(`/v1/service-calls/${id}`)).status).toBe(202);
      expect(await countOutbox(gw.db)).toBe(before + 1);
    });

    it.each(['Running', 'Succeeded', 'Failed'])(
      'answers 409 CALL_ALREADY_STARTED for a %s call and writes nothing',
      async (status) => {
        const id = await insertProjectedCall(gw.db, {
          tenantId: TENANT_A.tenantId,
          status,
          createdAt: '2026-11-20T12:00:00.000Z',
          attempts: 1,
        });
        const before = await countOutbox(gw.db);
        const res = await as(TENANT_A).delete(`/v1/service-calls/${id}`).set('X-Request-Id', 'req-409');
        expect(res.status).toBe(409);
        expect(res.body).toEqual({
          error: { code: 'CALL_ALREADY_STARTED', message: expect.any(String) },
          meta: { requestId: 'req-409' },
        });
        expect(await countOutbox(gw.db)).toBe(before);
      },
    );

    it('answers 202 for a call already Cancelled without asking again', async () => {
      const id = await insertProjectedCall(gw.db, {
        tenantId: TENANT_A.tenantId,
        status: 'Cancelled',
        createdAt: '2026-11-20T11:30:00.000Z',
      });
      const before = await countOutbox(gw.db);
      const res = await as(TENANT_A).delete(`/v1/service-calls/${id}`);
      expect(res.status).toBe(202);
      expect(res.body.data).toEqual({ id, status: 'Cancelled' });
      expect(await countOutbox(gw.db)).toBe(before);
    });

    it("answers 404 for another tenant's call and an unknown id, and writes nothing", async () => {
      const accepted = await submit(TENANT_A);
      const running = await insertProjectedCall(gw.db, {
        tenantId: TENANT_A.tenantId,
        status: 'Running',
        createdAt: '2026-11-20T13:00:00.000Z',
      });
      const before = await countOutbox(gw.db);
      for (const [tenant, id] of [
        [TENANT_B, accepted],
        [TENANT_B, running],
        [TENANT_A, randomUUID()],
      ] as const) {
        const res = await as(tenant).delete(`/v1/service-calls/${id}`);
        expect({ id, status: res.status, code: res.body.error?.code }).toEqual({ id, status: 404, code: 'NOT_FOUND' });
      }
      expect(await countOutbox(gw.db)).toBe(before);
    });

    it('answers 400 VALIDATION_FAILED naming id for a malformed id, and writes nothing', async () => {
      const before = await countOutbox(gw.db);
      for (const id of ['nope', '12345', `${randomUUID()}-x`]) {
        const res = await as(TENANT_A).delete(`/v1/service-calls/${id}`);
        expect({ id, status: res.status, body: res.body.error }).toEqual({
          id,
          status: 400,
          body: {
            code: 'VALIDATION_FAILED',
            message: expect.any(String),
            details: [{ field: 'id', problems: ['id must be a UUID'] }],
          },
        });
      }
      expect(await countOutbox(gw.db)).toBe(before);
    });

    it('answers 401 before looking at the id', async () => {
      const res = await gw.http().delete('/v1/service-calls/nope');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    });
  });
});
