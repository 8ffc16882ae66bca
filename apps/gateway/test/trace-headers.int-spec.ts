import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { BODY_LIMIT_BYTES, bearer, GatewayHarness, startGateway, TENANT_A } from './testing/gateway-harness';
import { poster, validBody } from './testing/submission';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** X-Request-Id on every answer, the same value as meta.requestId; X-Correlation-Id echoed when sent. */
describe('gateway X-Request-Id and X-Correlation-Id on every answer (real Postgres)', () => {
  let gw: GatewayHarness;
  const post = poster(() => gw);

  beforeAll(async () => {
    gw = await startGateway('gateway_trace_headers');
  });

  afterAll(async () => {
    await gw?.close();
  });

  const authed = (method: 'get' | 'delete', path: string) => gw.http()[method](path).set('Authorization', bearer(TENANT_A));

  /** Every kind of answer the gateway gives, each sent with the given extra headers. */
  const answers: [string, number, (headers: Record<string, string>) => Promise<Response>][] = [
    ['202 accepted', 202, (h) => post(validBody()).set(h)],
    ['200 list', 200, (h) => authed('get', '/v1/service-calls').set(h)],
    ['400 invalid body', 400, (h) => post({ target: { method: 'FETCH', url: 'x' } }).set(h)],
    ['400 malformed id', 400, (h) => authed('get', '/v1/service-calls/not-a-uuid').set(h)],
    ['400 malformed JSON', 400, (h) => post(undefined).set('Content-Type', 'application/json').set(h).send('{"target":')],
    ['401 no key', 401, (h) => gw.http().get('/v1/service-calls').set(h)],
    ['404 unknown call', 404, (h) => authed('get', `/v1/service-calls/${randomUUID()}`).set(h)],
    ['404 unknown route', 404, (h) => authed('get', '/v2/nothing-here').set(h)],
    [
      '413 body too large',
      413,
      (h) => post({ ...validBody(), target: { ...validBody().target, body: 'x'.repeat(BODY_LIMIT_BYTES + 1) } }).set(h),
    ],
  ];

  it.each(answers)(
    '%s carries the client X-Request-Id as header and meta.requestId, and echoes X-Correlation-Id',
    async (_name, status, send) => {
      const res = await send({ 'X-Request-Id': 'client/req:1=ok', 'X-Correlation-Id': 'corr-42' });
      expect(res.status).toBe(status);
      expect(res.headers['x-request-id']).toBe('client/req:1=ok');
      expect(res.headers['x-correlation-id']).toBe('corr-42');
      expect(res.body.meta.requestId).toBe('client/req:1=ok');
    },
  );

  it.each(answers)(
    '%s carries a generated X-Request-Id equal to meta.requestId when the client sent none, and no X-Correlation-Id',
    async (_name, status, send) => {
      const res = await send({});
      expect(res.status).toBe(status);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.body.meta.requestId).toBe(res.headers['x-request-id']);
      expect(res.headers['x-correlation-id']).toBeUndefined();
    },
  );

  it.each([
    ['129 characters', 'r'.repeat(129)],
    ['a space inside', 'req 1'],
    ['a non-ASCII character', 'réq-1'],
  ])(
    'replaces an X-Request-Id with %s by a generated one, and traces an equally bad X-Correlation-Id under it',
    async (_name, bad) => {
      const res = await authed('get', '/v1/service-calls').set('X-Request-Id', bad).set('X-Correlation-Id', bad);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.body.meta.requestId).toBe(res.headers['x-request-id']);
      expect(res.headers['x-correlation-id']).toBe(res.headers['x-request-id']);
    },
  );

  it('keeps a 128-character X-Request-Id', async () => {
    const id = `${'r'.repeat(92)}${randomUUID()}`;
    const res = await authed('get', '/v1/service-calls').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).toBe(id);
    expect(res.body.meta.requestId).toBe(id);
  });

  it('gives two requests without X-Request-Id different ids', async () => {
    const [a, b] = await Promise.all([authed('get', '/v1/service-calls'), authed('get', '/v1/service-calls')]);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});
