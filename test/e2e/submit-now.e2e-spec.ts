import { readFileSync } from 'node:fs';
import { TOPICS } from '@app/common/contracts';
import { ApiClient } from '../support/api-client';
import { RecordingTarget, TargetBehaviour } from '../support/recording-target';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';
import { testBrokers } from '../support/test-database';
import { readTopicToEnd } from '../support/topic-records';

/**
 * Slice 1 across the four apps as separate processes, a real broker, real Postgres and a real
 * HTTP target: submit-now → execute → projected, exactly one attempt per call.
 */
describe('submit now → execute → projected (e2e)', () => {
  let system: RunningSystem;
  let api: ApiClient;
  let target: RecordingTarget;
  let targetUrl: string;
  const closedPortUrl = 'http://127.0.0.1:1/nothing-listens-here';

  beforeAll(async () => {
    target = new RecordingTarget((path): ReturnType<TargetBehaviour> => {
      switch (path) {
        case '/ok':
          return {
            status: 200,
            body: 'hello ✓ from the target',
            headers: { 'content-type': 'text/plain; charset=utf-8', 'x-internal-secret': 'nope', etag: '"v1"' },
          };
        case '/fail':
          return { status: 500, body: '{"oops":true}', headers: { 'content-type': 'application/json' } };
        case '/slow':
          return { status: 200, body: 'too late', delayMs: 3_000 };
        case '/redirect':
          return { status: 302, headers: { location: '/redirected-here' } };
        case '/replayed':
          return { status: 201, body: 'stored' };
        case '/binary':
          return {
            status: 200,
            body: Buffer.from([0x1f, 0x8b, 0x00, 0x00, 0xff]),
            headers: { 'content-type': 'application/octet-stream' },
          };
        default:
          return { status: 404 };
      }
    });
    targetUrl = await target.start();
    // Per-message log points (ADR-0010) are at debug so they cost nothing at load; this suite checks them.
    system = await startRunningSystem('e2e-submit-now', { LOG_LEVEL: 'debug' });
    api = new ApiClient(system.baseUrl, TEST_API_KEY);
  }, 120_000);

  const metricsOf = async (name: string) =>
    (await fetch(`http://127.0.0.1:${system.apps.find((a) => a.name === name)!.port}/metrics`)).text();

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('runs a 2xx call once and shows Succeeded with status code, latency and snippet', async () => {
    const submitted = await api.submit(
      {
        target: {
          method: 'POST',
          url: `${targetUrl}/ok?token=s3cr3t-query&x=1`,
          headers: {
            'content-type': 'application/json',
            'x-custom': 'forwarded',
            authorization: 'Bearer tenant-secret-value',
          },
          body: { hello: 'world' },
        },
        tags: ['e2e'],
      },
      { correlationId: 'e2e-corr-ok' },
    );
    expect(submitted.status).toBe(202);
    expect(submitted.headers.get('location')).toBe(`/v1/service-calls/${submitted.body.data.id}`);
    const id = submitted.body.data.id;

    const call = await api.waitForStatus(id, ['Succeeded', 'Failed']);
    expect(call).toMatchObject({
      id,
      status: 'Succeeded',
      attempts: 1,
      tags: ['e2e'],
      target: {
        method: 'POST',
        url: `${targetUrl}/ok?token=[REDACTED]&x=1`,
        headers: { authorization: '[REDACTED]', 'x-custom': 'forwarded' },
      },
      result: { statusCode: 200, responseSnippet: 'hello ✓ from the target', error: null },
    });
    expect(call.result.latencyMs).toEqual(expect.any(Number));
    expect(call.result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(call.result.responseHeaders).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', etag: '"v1"' });
    expect(call.result.responseHeaders['x-internal-secret']).toBeUndefined();

    const received = target.requestsTo('/ok?token=s3cr3t-query&x=1');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
    expect(received[0].headers).toMatchObject({
      'idempotency-key': id,
      'x-custom': 'forwarded',
      authorization: 'Bearer tenant-secret-value',
      'content-type': 'application/json',
    });
  });

  it('records a call whose target answered binary (NUL bytes) as the success it was, with a base64 snippet', async () => {
    const submitted = await api.submit({ target: { method: 'GET', url: `${targetUrl}/binary` } });
    const call = await api.waitForStatus(submitted.body.data.id, ['Succeeded', 'Failed']);
    expect(call).toMatchObject({
      status: 'Succeeded',
      attempts: 1,
      result: {
        statusCode: 200,
        error: null,
        responseSnippetEncoding: 'base64',
        responseSnippet: Buffer.from([0x1f, 0x8b, 0x00, 0x00, 0xff]).toString('base64'),
      },
    });
    expect(target.requestsTo('/binary')).toHaveLength(1);
  });

  it.each([
    [
      'a 500 answer',
      '/fail',
      10_000,
      { statusCode: 500, error: { code: 'NON_2XX_STATUS' }, responseSnippet: '{"oops":true}' },
    ],
    ['a timeout', '/slow', 500, { statusCode: null, error: { code: 'TIMEOUT' } }],
    ['a redirect (not followed)', '/redirect', 10_000, { statusCode: 302, error: { code: 'REDIRECT_NOT_FOLLOWED' } }],
  ])('shows Failed for %s, after exactly one request', async (_name, path, timeoutMs, expected) => {
    const submitted = await api.submit({ target: { method: 'GET', url: `${targetUrl}${path}` }, timeoutMs });
    expect(submitted.status).toBe(202);
    const call = await api.waitForStatus(submitted.body.data.id, ['Succeeded', 'Failed']);
    expect(call).toMatchObject({ status: 'Failed', attempts: 1, result: expected });
    expect(call.result.latencyMs).toEqual(expect.any(Number));
    expect(target.requestsTo(path)).toHaveLength(1);
    expect(target.requestsTo(path)[0].headers['idempotency-key']).toBe(submitted.body.data.id);
  });

  it('answers a replay with the same call and runs it only once (idempotent submit)', async () => {
    const body = { target: { method: 'PUT', url: `${targetUrl}/replayed`, body: 'once' }, tags: ['replay'] };
    const first = await api.submit(body, { idempotencyKey: 'replay-key-1' });
    const again = await api.submit(
      { tags: ['replay'], target: { body: 'once', url: `${targetUrl}/replayed`, method: 'PUT' } },
      { idempotencyKey: 'replay-key-1' },
    );
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data.id).toBe(first.body.data.id);
    await api.waitForStatus(first.body.data.id, ['Succeeded', 'Failed']);
    const late = await api.submit(body, { idempotencyKey: 'replay-key-1' });
    expect(late.body.data).toEqual({ id: first.body.data.id, status: 'Succeeded' });
    expect(target.requestsTo('/replayed')).toHaveLength(1);
    const reused = await api.submit({ ...body, tags: ['other'] }, { idempotencyKey: 'replay-key-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('shows Failed for a refused connection', async () => {
    const submitted = await api.submit({ target: { method: 'GET', url: closedPortUrl } });
    const call = await api.waitForStatus(submitted.body.data.id, ['Succeeded', 'Failed']);
    expect(call).toMatchObject({
      status: 'Failed',
      attempts: 1,
      result: { statusCode: null, error: { code: 'CONNECTION_FAILED' } },
    });
  });

  it('never followed the redirect, and never called any target twice', async () => {
    expect(target.requestsTo('/redirected-here')).toHaveLength(0);
    const perKey = new Map<string, number>();
    for (const r of target.received)
      perKey.set(String(r.headers['idempotency-key']), (perKey.get(String(r.headers['idempotency-key'])) ?? 0) + 1);
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);
  });

  it('carries the correlation id through every app and keeps secrets out of the logs', async () => {
    const logs = readFileSync(system.logFile, 'utf8').split('\n');
    const correlated = logs.filter((line) => line.includes('"correlationId":"e2e-corr-ok"'));
    for (const app of ['gateway', 'scheduler-core', 'executor', 'projector']) {
      expect(correlated.some((line) => line.startsWith(`[${app}]`))).toBe(true);
    }
    const messages = new Set(correlated.map((line) => JSON.parse(line.slice(line.indexOf('{'))).msg));
    for (const msg of [
      'service call accepted',
      'published',
      'consumed',
      'command received',
      'events appended',
      'execution received',
      'read model upserted',
    ]) {
      expect(messages).toContain(msg);
    }
    expect(logs.some((line) => line.includes('tenant-secret-value') || line.includes('s3cr3t-query'))).toBe(false);
  });

  it('serves readiness and Prometheus metrics on every app', async () => {
    for (const app of system.apps) {
      const ready = await fetch(`http://127.0.0.1:${app.port}/health/ready`);
      expect({ app: app.name, status: ready.status }).toEqual({ app: app.name, status: 200 });
      expect((await fetch(`http://127.0.0.1:${app.port}/health/live`)).status).toBe(200);
    }
    const executor = await metricsOf('executor');
    expect(executor).toMatch(/scheduler_executions_total\{outcome="SUCCEEDED"\} [1-9]/);
    expect(executor).toMatch(/scheduler_executions_total\{outcome="NON_2XX_STATUS"\} [1-9]/);
    expect(executor).toMatch(/scheduler_execution_latency_seconds_count [1-9]/);
    expect(await metricsOf('scheduler-core')).toMatch(
      /scheduler_consumer_lag\{group="[^"]*scheduler-core",topic="[^"]+",partition="\d+"\} \d+/,
    );
    expect(await metricsOf('gateway')).toMatch(
      /scheduler_outbox_published_total\{outbox="gateway",topic="scheduler.commands.v1"\} [1-9]/,
    );
  });

  it("hands each submission's command to the gateway's outbox publisher after the commit: it polled for none of them, and each went out once", async () => {
    const submitted = (await readTopicToEnd(testBrokers().split(','), `${system.topicPrefix}${TOPICS.commands}`))
      .filter((r) => String(r.headers.type) === 'SubmitServiceCall')
      .map((r) => String(r.headers.messageId));
    expect(submitted.length).toBeGreaterThanOrEqual(5);
    expect(new Set(submitted).size).toBe(submitted.length);
    const polled = /scheduler_outbox_polls_total\{outbox="gateway",outcome="rows"\} (\d+)/.exec(await metricsOf('gateway'));
    // One at most: a submission that commits before the publisher has taken the outbox's lock at start is polled for.
    expect(Number(polled?.[1] ?? 0)).toBeLessThanOrEqual(1);
  });

  it('writes no trace context while tracing is off: no record on any topic carries a traceparent header', async () => {
    // Published outbox rows are deleted, so the records themselves are read.
    for (const topic of Object.values(TOPICS)) {
      const headers = (await readTopicToEnd(testBrokers().split(','), `${system.topicPrefix}${topic}`)).map(
        (r) => r.headers,
      );
      expect({ topic, written: headers.length > 0, traced: headers.filter((h) => h.traceparent).length }).toEqual({
        topic,
        written: true,
        traced: 0,
      });
    }
  });
});
