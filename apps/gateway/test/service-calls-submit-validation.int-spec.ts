import { randomUUID } from 'node:crypto';
import { BODY_LIMIT_BYTES, GatewayHarness, startGateway } from './testing/gateway-harness';
import { poster, refusedWithoutWrites, validBody } from './testing/submission';

describe('gateway POST /v1/service-calls: refused input (real Postgres)', () => {
  let gw: GatewayHarness;
  const post = poster(() => gw);
  const refused = <T>(send: () => Promise<T>) => refusedWithoutWrites(gw, send);

  beforeAll(async () => {
    gw = await startGateway('gateway_submit_validation');
  });

  afterAll(async () => {
    await gw?.close();
  });

  describe('Idempotency-Key header', () => {
    it.each([
      ['missing', null],
      ['blank', ''],
      ['spaces only', '   '],
      ['256 characters', 'k'.repeat(256)],
    ])('refuses a %s key with 400 VALIDATION_FAILED naming Idempotency-Key', async (_, key) => {
      const res = await refused(() => post(validBody(), key));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['Idempotency-Key']);
    });

    it('accepts a 255-character key', async () => {
      expect((await post(validBody(), `${'k'.repeat(219)}${randomUUID()}`)).status).toBe(202);
    });
  });

  describe('invalid bodies', () => {
    const withTarget = (target: object) => ({ ...validBody(), target: { ...validBody().target, ...target } });
    const cases: [string, unknown, string][] = [
      ['an unknown method', withTarget({ method: 'FETCH' }), 'target.method'],
      ['a non-http URL', withTarget({ url: 'ftp://example.com/file' }), 'target.url'],
      ['a URL that is not one', withTarget({ url: 'not a url' }), 'target.url'],
      ['no target', { tags: ['a'] }, 'target'],
      ['21 tags', { ...validBody(), tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      ['a tag with a space', { ...validBody(), tags: ['ok', 'not ok'] }, 'tags'],
      ['an empty tag', { ...validBody(), tags: [''] }, 'tags'],
      ['timeoutMs 50', { ...validBody(), timeoutMs: 50 }, 'timeoutMs'],
      ['timeoutMs 20000', { ...validBody(), timeoutMs: 20000 }, 'timeoutMs'],
      ['a fractional timeoutMs', { ...validBody(), timeoutMs: 150.5 }, 'timeoutMs'],
      ['a dueAt that is not RFC 3339', { ...validBody(), dueAt: '23/11/2026 10:00' }, 'dueAt'],
      ['a dueAt without offset', { ...validBody(), dueAt: '2026-11-23T10:00:00' }, 'dueAt'],
      ['a dueAt on a day that does not exist', { ...validBody(), dueAt: '2026-02-30T10:00:00Z' }, 'dueAt'],
      ['a dueAt at second 60', { ...validBody(), dueAt: '2026-11-23T10:00:60Z' }, 'dueAt'],
      ['a dueAt in year 0', { ...validBody(), dueAt: '0000-01-01T00:00:00Z' }, 'dueAt'],
      ['an unknown top-level field', { ...validBody(), priority: 'high' }, 'priority'],
      ['an unknown target field', withTarget({ followRedirects: true }), 'target.followRedirects'],
      ['a header with a non-string value', withTarget({ headers: { 'x-count': 3 } }), 'target.headers'],
      ['a header value with CR/LF', withTarget({ headers: { 'x-a': 'b\r\nx-injected: 1' } }), 'target.headers'],
      ['a body that is a number', withTarget({ body: 42 }), 'target.body'],
      ['a body that is null', withTarget({ body: null }), 'target.body'],
      ['a body that is a boolean', withTarget({ body: true }), 'target.body'],
    ];

    it.each(cases)('refuses %s with 400 VALIDATION_FAILED naming the field', async (_, body, field) => {
      const res = await refused(() => post(body).set('X-Request-Id', 'req-invalid'));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'VALIDATION_FAILED', message: expect.any(String), details: expect.any(Array) },
        meta: { requestId: 'req-invalid' },
      });
      const fields = res.body.error.details.map((d: { field: string }) => d.field);
      expect(fields).toContain(field);
      for (const d of res.body.error.details) expect(d.problems.length).toBeGreaterThan(0);
    });

    it('names every offending field at once', async () => {
      const res = await post({ target: { method: 'FETCH', url: 'ftp://x' }, timeoutMs: 50, extra: 1 });
      expect(res.status).toBe(400);
      const fields = res.body.error.details.map((d: { field: string }) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['target.method', 'target.url', 'timeoutMs', 'extra']));
    });

    it('refuses malformed JSON with 400 and the error shape', async () => {
      const res = await refused(() =>
        post(undefined)
          .set('Content-Type', 'application/json')
          .set('X-Request-Id', 'req-malformed')
          .send('{"target": {"method": "GET",'),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'MALFORMED_JSON', message: expect.any(String) },
        meta: { requestId: 'req-malformed' },
      });
    });

    it('refuses a JSON body that is not an object with 400', async () => {
      const res = await refused(() => post(undefined).set('Content-Type', 'application/json').send('[1,2,3]'));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
    });

    it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE and the error shape', async () => {
      const big = withTarget({ body: 'x'.repeat(BODY_LIMIT_BYTES + 1) });
      const res = await refused(() => post(big).set('X-Request-Id', 'req-too-large'));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) },
        meta: { requestId: 'req-too-large' },
      });
    });
  });
});
