import { randomUUID } from 'node:crypto';
import { GatewayHarness, startGateway, TENANT_A, TENANT_B } from './testing/gateway-harness';
import { countOutbox, outboxRows } from './testing/gateway-tables';
import { poster, refusedWithoutWrites, SECRET_BODY, SECRET_HEADER, SECRET_PARAM, validBody } from './testing/submission';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('gateway POST /v1/service-calls: auth, acceptance, idempotency (real Postgres)', () => {
  let gw: GatewayHarness;
  const post = poster(() => gw);
  const refused = <T>(send: () => Promise<T>) => refusedWithoutWrites(gw, send);

  beforeAll(async () => {
    gw = await startGateway('gateway_submit');
  });

  afterAll(async () => {
    await gw?.close();
  });

  describe('authentication', () => {
    it('answers 401 UNAUTHENTICATED without a bearer key, in the error shape, echoing X-Request-Id', async () => {
      const res = await refused(() =>
        gw
          .http()
          .post('/v1/service-calls')
          .set('Idempotency-Key', 'k')
          .set('X-Request-Id', 'client-req-401')
          .send(validBody()),
      );
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
        meta: { requestId: 'client-req-401' },
      });
      expect(res.body.error.message).not.toHaveLength(0);
    });

    it('answers 401 for an unknown key, for a non-bearer scheme, and on every route', async () => {
      const unknown = await gw
        .http()
        .post('/v1/service-calls')
        .set('Authorization', 'Bearer key-unknown-1')
        .set('Idempotency-Key', 'k')
        .send(validBody());
      expect(unknown.status).toBe(401);
      expect(unknown.body.error.code).toBe('UNAUTHENTICATED');
      expect(unknown.body.meta.requestId).toEqual(expect.any(String));
      expect(unknown.body.meta.requestId).not.toHaveLength(0);

      const basic = await gw.http().get('/v1/service-calls').set('Authorization', `Basic ${TENANT_A.key}`);
      expect(basic.status).toBe(401);
      for (const res of [
        await gw.http().get('/v1/service-calls'),
        await gw.http().get(`/v1/service-calls/${randomUUID()}`),
        await gw.http().delete(`/v1/service-calls/${randomUUID()}`),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      }
      expect(await countOutbox(gw.db)).toBe(0);
    });
  });

  describe('accepting a call', () => {
    it('answers 202 with Location and { data: { id, status: Accepted }, meta }, and writes one SubmitServiceCall to the outbox', async () => {
      const before = await outboxRows(gw.db);
      const res = await post(validBody()).set('X-Correlation-Id', 'corr-accept-1').set('X-Request-Id', 'req-accept-1');

      expect(res.status).toBe(202);
      const id: string = res.body.data.id;
      expect(id).toMatch(UUID);
      expect(res.headers.location).toBe(`/v1/service-calls/${id}`);
      expect(res.body).toEqual({ data: { id, status: 'Accepted' }, meta: { requestId: 'req-accept-1' } });
      expect(res.headers['idempotent-replayed']).toBeUndefined();

      const added = (await outboxRows(gw.db)).slice(before.length);
      expect(added).toHaveLength(1);
      const [row] = added;
      expect(row.topic).toBe('scheduler.commands.v1');
      expect(row.messageKey).toBe(id);
      expect(row.envelope).toMatchObject({
        type: 'SubmitServiceCall',
        tenantId: TENANT_A.tenantId,
        aggregateType: 'ServiceCall',
        aggregateId: id,
        correlationId: 'corr-accept-1',
        causationId: 'req-accept-1',
        schemaVersion: 1,
        payload: { serviceCallId: id, tags: ['billing', 'eu'], dueAt: '2026-11-23T10:00:00.000Z', timeoutMs: 5000 },
      });
    });

    it('keeps secrets out of the outbox in clear: target redacted, sealedTarget is ciphertext of the real call', async () => {
      const before = await outboxRows(gw.db);
      const res = await post(validBody());
      expect(res.status).toBe(202);
      const [row] = (await outboxRows(gw.db)).slice(before.length);

      const payload = row.envelope.payload as { target: any; sealedTarget: any };
      expect(payload.target).toEqual({
        method: 'POST',
        url: 'https://example.com/hook?token=[REDACTED]&region=eu',
        headers: { 'content-type': 'application/json', authorization: '[REDACTED]' },
      });
      for (const secret of [SECRET_HEADER, 's3cret-header-value-7f1c', SECRET_PARAM, SECRET_BODY]) {
        expect(row.text).not.toContain(secret);
      }
      expect(Object.keys(payload.sealedTarget).sort()).toEqual(['ciphertext', 'iv', 'keyId', 'tag']);
      expect(payload.sealedTarget.keyId).toBe(gw.sealer.sealingKeyId);
      // The executor's key opens it to the call as submitted.
      expect(gw.sealer.open(payload.sealedTarget)).toEqual({
        method: 'POST',
        url: `https://example.com/hook?token=${SECRET_PARAM}&region=eu`,
        headers: { 'content-type': 'application/json', authorization: SECRET_HEADER },
        body: JSON.stringify({ password: SECRET_BODY, amount: 12 }),
      });

      const [kept]: { text: string }[] = await gw.db.query(
        `SELECT row_to_json(k)::text AS text FROM gateway.idempotency_keys k WHERE service_call_id = $1`,
        [res.body.data.id],
      );
      for (const secret of ['s3cret-header-value-7f1c', SECRET_PARAM, SECRET_BODY]) expect(kept.text).not.toContain(secret);
    });

    it('redacts a webhook secret in the URL path from the command and the idempotency row, and seals the real URL', async () => {
      const pathSecret = 'Xq7Lm2Rt9Vb4Nc6Kd8Pf3Hs1';
      const url = `https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/${pathSecret}`;
      const before = await outboxRows(gw.db);
      const res = await post({ target: { method: 'POST', url, body: { text: 'deployed' } } });
      expect(res.status).toBe(202);
      const [row] = (await outboxRows(gw.db)).slice(before.length);

      const payload = row.envelope.payload as { target: any; sealedTarget: any };
      expect(payload.target.url).toBe('https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/[REDACTED]');
      expect(row.text).not.toContain(pathSecret);
      expect(gw.sealer.open(payload.sealedTarget).url).toBe(url);
      const [kept]: { text: string }[] = await gw.db.query(
        `SELECT row_to_json(k)::text AS text FROM gateway.idempotency_keys k WHERE service_call_id = $1`,
        [res.body.data.id],
      );
      expect(kept.text).toContain('B0BBBBBBB/[REDACTED]');
      expect(kept.text).not.toContain(pathSecret);
    });

    it('uses the request id as correlation id when the client sends no X-Correlation-Id, and defaults timeoutMs, tags and dueAt', async () => {
      const before = await outboxRows(gw.db);
      const res = await post({ target: { method: 'GET', url: 'http://example.com/ping' } }).set(
        'X-Request-Id',
        'req-no-corr',
      );
      expect(res.status).toBe(202);
      const [row] = (await outboxRows(gw.db)).slice(before.length);
      expect(row.envelope.correlationId).toBe('req-no-corr');
      expect(row.envelope.payload).toMatchObject({ timeoutMs: 10000, tags: [], dueAt: null });
    });

    it('lets submissions that follow each other within 11 ms share a statement, so at a steady pace they commit in groups', async () => {
      const paceMs = 3;
      await new Promise((r) => setTimeout(r, 50)); // a quiet spell first: the first one goes alone
      const answers: Promise<{ status: number; body: { data: { id: string } } }>[] = [];
      for (let i = 0; i < 12; i++) {
        answers.push(post(validBody()).then((res) => res)); // then() sends it now, unawaited
        await new Promise((r) => setTimeout(r, paceMs));
      }
      const accepted = await Promise.all(answers);
      expect(accepted.map((a) => a.status)).toEqual(Array(12).fill(202));

      const [{ rows, transactions }] = await gw.db.query(
        `SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS transactions FROM gateway.outbox WHERE message_key = ANY($1)`,
        [accepted.map((a) => a.body.data.id)],
      );
      expect(rows).toBe(12);
      // Each alone would be 12 (11–12 without the wait); at this pace they go mostly in twos to fours (5–6).
      expect(transactions).toBeLessThanOrEqual(9);
    });
  });

  describe('idempotency', () => {
    it('replays the same key and body with 200, the same id and Idempotent-Replayed, whatever the key order', async () => {
      const key = `replay-${randomUUID()}`;
      const first = await post(validBody(), key);
      expect(first.status).toBe(202);
      const outboxAfterFirst = await countOutbox(gw.db);

      const again = await post(validBody(), key).set('X-Request-Id', 'req-replay');
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(`/v1/service-calls/${first.body.data.id}`);
      expect(again.body).toEqual({
        data: { id: first.body.data.id, status: 'Accepted' },
        meta: { requestId: 'req-replay' },
      });

      const b = validBody();
      const reordered = JSON.stringify({
        timeoutMs: b.timeoutMs,
        tags: b.tags,
        dueAt: b.dueAt,
        target: {
          body: { amount: 12, password: SECRET_BODY },
          headers: { authorization: SECRET_HEADER, 'content-type': 'application/json' },
          url: b.target.url,
          method: b.target.method,
        },
      });
      const shuffled = await post(undefined, key).set('Content-Type', 'application/json').send(reordered);
      expect(shuffled.status).toBe(200);
      expect(shuffled.body.data.id).toBe(first.body.data.id);
      expect(shuffled.headers['idempotent-replayed']).toBe('true');

      expect(await countOutbox(gw.db)).toBe(outboxAfterFirst);
    });

    it('refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
      const key = `reuse-${randomUUID()}`;
      expect((await post(validBody(), key)).status).toBe(202);
      const res = await refused(() => post({ ...validBody(), timeoutMs: 6000 }, key));
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(res.body.meta.requestId).toEqual(expect.any(String));
    });

    it('accepts ten concurrent requests with one key as one call with one outbox row', async () => {
      const key = `race-${randomUUID()}`;
      const before = await countOutbox(gw.db);
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(validBody(), key)));

      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
      expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
      expect(await countOutbox(gw.db)).toBe(before + 1);
    });

    it('sorts a burst of concurrent submissions written together: new keys accepted, repeats replayed, a changed body refused', async () => {
      const keys = Array.from({ length: 8 }, () => `burst-${randomUUID()}`);
      const before = await countOutbox(gw.db);
      const sent = [
        ...keys.map((key) => post(validBody(), key)),
        ...keys.slice(0, 4).map((key) => post(validBody(), key)),
        ...keys.slice(4).map((key) => post({ ...validBody(), timeoutMs: 7000 }, key)),
      ];
      const answers = await Promise.all(sent);
      const byKey = new Map<string, number[]>();
      answers.forEach((a, i) => {
        const key = i < 8 ? keys[i] : i < 12 ? keys[i - 8] : keys[i - 8];
        byKey.set(key, [...(byKey.get(key) ?? []), a.status]);
      });
      for (const key of keys.slice(0, 4)) expect(byKey.get(key)?.sort()).toEqual([200, 202]);
      for (const key of keys.slice(4)) expect(byKey.get(key)?.sort()).toEqual([202, 422]);
      expect(await countOutbox(gw.db)).toBe(before + 8);
    });

    it('scopes keys per tenant: another tenant with the same key gets its own call', async () => {
      const key = `shared-${randomUUID()}`;
      const a = await post(validBody(), key, TENANT_A);
      const b = await post(validBody(), key, TENANT_B);
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(b.body.data.id).not.toBe(a.body.data.id);
      const rows = (await outboxRows(gw.db)).filter((r) =>
        [a.body.data.id, b.body.data.id].includes(r.envelope.aggregateId),
      );
      expect(rows.map((r) => [r.envelope.aggregateId, r.envelope.tenantId])).toEqual([
        [a.body.data.id, TENANT_A.tenantId],
        [b.body.data.id, TENANT_B.tenantId],
      ]);
    });
  });
});
