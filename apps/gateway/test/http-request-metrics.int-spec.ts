import { randomUUID } from 'node:crypto';
import { eventually } from '../../../test/support/eventually';
import { parseSamples, Sample } from '../../../test/support/prometheus-exposition';
import { bearer, GatewayHarness, startGateway, TENANT_A } from './testing/gateway-harness';

/** http_server_request_duration_seconds on the gateway as main.ts builds it, read back from its own /metrics. */
describe('gateway HTTP request metrics (real Postgres)', () => {
  let gw: GatewayHarness;

  beforeAll(async () => {
    gw = await startGateway('gateway_http_metrics');
  });

  afterAll(async () => {
    await gw?.close();
  });

  const countOf = (samples: Sample[], labels: Record<string, string>) =>
    samples.find(
      (s) =>
        s.name === 'http_server_request_duration_seconds_count' &&
        Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )?.value;

  it('labels requests by route template and status code, never by raw URL, and unknown paths as unmatched', async () => {
    const submitted = await gw
      .http()
      .post('/v1/service-calls')
      .set('Authorization', bearer(TENANT_A))
      .set('Idempotency-Key', randomUUID())
      .send({ target: { method: 'GET', url: 'https://example.com/hook' } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.data.id as string;
    expect((await gw.http().get(`/v1/service-calls/${id}`).set('Authorization', bearer(TENANT_A))).status).toBe(200);
    expect((await gw.http().get(`/v1/service-calls/${randomUUID()}`).set('Authorization', bearer(TENANT_A))).status).toBe(
      404,
    );
    expect((await gw.http().get(`/v1/service-calls/${id}`)).status).toBe(401);
    expect((await gw.http().get('/v1/no-such-thing/42').set('Authorization', bearer(TENANT_A))).status).toBe(404);
    const malformed = await gw
      .http()
      .post('/v1/service-calls')
      .set('Authorization', bearer(TENANT_A))
      .set('Idempotency-Key', randomUUID())
      .set('Content-Type', 'application/json')
      .send('{"target":');
    expect(malformed.status).toBe(400);

    const samples = await eventually('the malformed request to be counted', async () => {
      const exposition = (await gw.http().get('/metrics')).text;
      const parsed = parseSamples(exposition);
      return countOf(parsed, { method: 'POST', route: 'unmatched', status_code: '400' }) ? parsed : undefined;
    });

    expect(countOf(samples, { method: 'POST', route: '/v1/service-calls', status_code: '202' })).toBe(1);
    expect(countOf(samples, { method: 'GET', route: '/v1/service-calls/:id', status_code: '200' })).toBe(1);
    expect(countOf(samples, { method: 'GET', route: '/v1/service-calls/:id', status_code: '404' })).toBe(1);
    expect(countOf(samples, { method: 'GET', route: '/v1/service-calls/:id', status_code: '401' })).toBe(1);
    expect(countOf(samples, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    const routes = new Set(
      samples.filter((s) => s.name.startsWith('http_server_request_duration_seconds')).map((s) => s.labels.route),
    );
    expect([...routes].filter((r) => r.includes(id) || r.includes('no-such-thing'))).toEqual([]);
    const buckets = samples.filter(
      (s) =>
        s.name === 'http_server_request_duration_seconds_bucket' &&
        s.labels.route === '/v1/service-calls' &&
        s.labels.status_code === '202',
    );
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(1);
  });

  it('counts its own /metrics and health answers under their routes', async () => {
    await gw.http().get('/health/live').expect(200);
    await gw.http().get('/metrics').expect(200);
    const samples = parseSamples((await gw.http().get('/metrics')).text);
    expect(countOf(samples, { method: 'GET', route: '/health/live', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(countOf(samples, { method: 'GET', route: '/metrics', status_code: '200' })).toBeGreaterThanOrEqual(1);
  });

  it('reports readiness as scheduler_ready at each scrape', async () => {
    const samples = parseSamples((await gw.http().get('/metrics')).text);
    expect(samples.find((s) => s.name === 'scheduler_ready')?.value).toBe(1);
  });
});
