import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetRequest } from '@app/common/contracts';
import { HttpCallExecutor } from './http-call-executor';

interface ReceivedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP server on 127.0.0.1 that records every request it receives. */
async function startTarget(respond: RequestListener) {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      respond(req, res);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return { server, port, received, url: (path = '/') => `http://127.0.0.1:${port}${path}` };
}

async function closedPort(): Promise<number> {
  const { server, port } = await startTarget(() => undefined);
  await new Promise((closed) => server.close(closed));
  return port;
}

function get(url: string, timeoutMs = 5_000) {
  return { target: { method: 'GET', url, headers: {} } satisfies TargetRequest, timeoutMs, idempotencyKey: 'attempt-1' };
}

describe('HttpCallExecutor against real servers', () => {
  const servers: Server[] = [];
  const executor = new HttpCallExecutor({ allowPrivateTargets: true });
  const strictExecutor = new HttpCallExecutor({ allowPrivateTargets: false });

  async function target(respond: RequestListener) {
    const started = await startTarget(respond);
    servers.push(started.server);
    return started;
  }

  afterAll(async () => {
    await Promise.all([executor.close(), strictExecutor.close()]);
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  });

  it('forwards method, headers and body once with the Idempotency-Key, and reports a 2xx as success', async () => {
    const echo = await target((_req, res) => {
      res.writeHead(201, {
        'Content-Type': 'application/json',
        'Content-Length': '11',
        'X-Request-Id': 'r-1',
        'X-Secret': 'leak',
        'Set-Cookie': 'a=b',
      });
      res.end('{"ok":true}');
    });

    const result = await executor.execute({
      target: {
        method: 'PATCH',
        url: echo.url('/orders/7?expand=1'),
        headers: { Authorization: 'Bearer real-secret', 'X-Tenant': 't-1', 'Idempotency-Key': 'tenant-chosen' },
        body: '{"qty":2}',
      },
      timeoutMs: 5_000,
      idempotencyKey: 'attempt-42',
    });

    expect(result).toEqual({
      statusCode: 201,
      latencyMs: expect.any(Number),
      responseSnippet: '{"ok":true}',
      responseHeaders: {
        'content-type': 'application/json',
        'content-length': '11',
        date: expect.any(String),
        'x-request-id': 'r-1',
      },
      error: null,
    });
    expect(Number.isInteger(result.latencyMs)).toBe(true);
    expect(echo.received).toHaveLength(1);
    expect(echo.received[0]).toMatchObject({
      method: 'PATCH',
      url: '/orders/7?expand=1',
      body: '{"qty":2}',
      headers: { authorization: 'Bearer real-secret', 'x-tenant': 't-1', 'idempotency-key': 'attempt-42' },
    });
  });

  it('sends URL userinfo as Basic credentials', async () => {
    const echo = await target((_req, res) => res.end());

    await executor.execute(get(echo.url().replace('http://', 'http://ann:p%40ss@')));

    expect(echo.received[0].headers.authorization).toBe(`Basic ${Buffer.from('ann:p@ss').toString('base64')}`);
  });

  it('reports a 500 as NON_2XX_STATUS with the status code and body', async () => {
    const failing = await target((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });

    const result = await executor.execute(get(failing.url()));

    expect(result).toMatchObject({ statusCode: 500, responseSnippet: 'boom', error: { code: 'NON_2XX_STATUS' } });
  });

  it('does not follow a 302 and never calls the Location target', async () => {
    const elsewhere = await target((_req, res) => res.end('should not be reached'));
    const redirecting = await target((_req, res) => {
      res.writeHead(302, { Location: elsewhere.url('/landing') });
      res.end();
    });

    const result = await executor.execute(get(redirecting.url()));

    expect(result).toMatchObject({
      statusCode: 302,
      responseSnippet: null,
      responseHeaders: { location: elsewhere.url('/landing') },
      error: { code: 'REDIRECT_NOT_FOLLOWED' },
    });
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up with TIMEOUT when the server does not answer in time', async () => {
    const slow = await target((_req, res) => setTimeout(() => res.end('late'), 3_000).unref());

    const startedAt = Date.now();
    const result = await executor.execute(get(slow.url(), 300));
    const tookMs = Date.now() - startedAt;

    expect(result).toMatchObject({ statusCode: null, responseSnippet: null, error: { code: 'TIMEOUT' } });
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(1_500);
  });

  it('counts a body that trickles past the deadline as TIMEOUT', async () => {
    const trickling = await target((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first part');
      setTimeout(() => res.end('rest'), 3_000).unref();
    });

    const result = await executor.execute(get(trickling.url(), 300));

    expect(result).toMatchObject({ statusCode: 200, error: { code: 'TIMEOUT' } });
  });

  it('reports a refused connection as CONNECTION_FAILED', async () => {
    const result = await executor.execute(get(`http://127.0.0.1:${await closedPort()}/`));

    expect(result).toMatchObject({ statusCode: null, error: { code: 'CONNECTION_FAILED' } });
  });

  it('keeps at most 8 KB of a large multi-byte body, cut on a character boundary', async () => {
    const text = '€😀é'.repeat(2_500);
    const large = await target((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(text);
    });

    const result = await executor.execute(get(large.url()));

    expect(Buffer.byteLength(text)).toBeGreaterThan(20_000);
    const snippet = result.responseSnippet ?? '';
    expect(Buffer.byteLength(snippet)).toBeLessThanOrEqual(8192);
    expect(Buffer.byteLength(snippet)).toBeGreaterThan(8192 - 4);
    expect(snippet).not.toContain('\uFFFD');
    expect(text.startsWith(snippet)).toBe(true);
  });

  it.each([
    ['a malformed URL', 'not a url'],
    ['a non-http scheme', 'ftp://files.example.com/report.csv'],
  ])('refuses %s as INVALID_TARGET', async (_why, url) => {
    const result = await executor.execute(get(url));

    expect(result).toMatchObject({ statusCode: null, error: { code: 'INVALID_TARGET' } });
  });

  describe('when private targets are not allowed', () => {
    it.each([
      ['an IP literal', (port: number) => `http://127.0.0.1:${port}/`],
      ['localhost', (port: number) => `http://localhost:${port}/`],
      ['an IPv4-mapped IPv6 literal', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ])('refuses %s without calling it', async (_kind, urlFor) => {
      const guarded = await target((_req, res) => res.end('reached'));

      const result = await strictExecutor.execute(get(urlFor(guarded.port)));

      expect(result).toMatchObject({ statusCode: null, error: { code: 'TARGET_NOT_ALLOWED' } });
      expect(guarded.received).toHaveLength(0);
    });
  });
  it('keeps a binary body (NUL bytes, gzip) as base64 of its first 8 KB, and the call as the success it was', async () => {
    const binary = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(10_000, 0), Buffer.from('tail')]);
    const server = await target((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(binary);
    });
    const result = await executor.execute(get(server.url('/binary')));
    expect(result).toMatchObject({ statusCode: 200, error: null, responseSnippetEncoding: 'base64' });
    expect(Buffer.from(result.responseSnippet ?? '', 'base64')).toEqual(binary.subarray(0, 8192));
    // A snippet that holds no NUL is storable as jsonb text: the bug was U+0000 reaching Postgres.
    expect(result.responseSnippet).not.toContain('\u0000');
  });

  it('keeps text as text: no encoding field for a UTF-8 body', async () => {
    const server = await target((_req, res) => res.end('héllo'));
    const result = await executor.execute(get(server.url('/text')));
    expect(result.responseSnippet).toBe('héllo');
    expect(result.responseSnippetEncoding).toBeUndefined();
  });
});
