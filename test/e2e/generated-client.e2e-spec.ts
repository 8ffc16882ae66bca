import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../tools/infra/project-root';
import { RecordingTarget } from '../support/recording-target';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';

const run = promisify(execFile);
const root = projectRoot();
const CLIENT_SOURCE = join(root, 'test/e2e/generated-client/typed-client.cts');
/** What a strict consumer compiles with: no implicit any, strict null checks, and so on. */
const CLIENT_TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'node16',
    moduleResolution: 'node16',
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    skipLibCheck: true,
    outDir: 'out',
  },
  files: ['typed-client.cts'],
};

/**
 * Issue 8: a client generated from the committed docs/openapi.json (openapi-typescript, openapi-fetch)
 * compiles under `strict: true` without a cast and works against the four apps running as processes.
 */
describe('a client generated from docs/openapi.json (e2e)', () => {
  let system: RunningSystem;
  let target: RecordingTarget;
  let targetUrl: string;
  let dir: string;

  beforeAll(async () => {
    mkdirSync(join(root, 'test-output'), { recursive: true });
    // Inside the project, so tsc and node find openapi-fetch and @types/node in its node_modules.
    dir = mkdtempSync(join(root, 'test-output', 'generated-client-'));
    target = new RecordingTarget(() => ({ status: 200, body: 'ok' }));
    [targetUrl, system] = await Promise.all([target.start(), startRunningSystem('e2e-generated-client')]);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('generates types with openapi-typescript and compiles a client with strict: true and no cast', async () => {
    const source = readFileSync(CLIENT_SOURCE, 'utf8');
    expect(source).not.toMatch(/\sas\s/); // `x as T`
    expect(source).not.toMatch(/[=(,:]\s*<\w+>/); // `<T>x`
    expect(source).not.toMatch(/[\w)\]]![.;,)\]]/); // `x!.y`
    expect(source).not.toMatch(/@ts-|\bany\b/);
    await run(process.execPath, [
      join(root, 'node_modules/openapi-typescript/bin/cli.js'),
      join(root, 'docs/openapi.json'),
      '-o',
      join(dir, 'schema.d.ts'),
    ]);
    expect(readFileSync(join(dir, 'schema.d.ts'), 'utf8')).toMatch(/export interface paths/);
    copyFileSync(CLIENT_SOURCE, join(dir, 'typed-client.cts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(CLIENT_TSCONFIG));
    const compiled = await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir]).catch(
      (e: { stdout?: string }) => e,
    );
    expect('stdout' in compiled ? compiled.stdout : '').toBe('');
    expect(readFileSync(join(dir, 'out/typed-client.cjs'), 'utf8')).toMatch(/openapi-fetch/);
  }, 60_000);

  it('submits (202), replays (200), follows a call to Succeeded, lists with repeated filters and a cursor, and cancels (202, then 409)', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(dir, 'out/typed-client.cjs'), system.baseUrl, TEST_API_KEY, targetUrl],
      { timeout: 90_000 },
    );
    const r = JSON.parse(stdout);
    const id = r.submitted.body.data.id;

    expect(r.submitted).toMatchObject({
      status: 202,
      body: { data: { id: expect.any(String), status: 'Accepted' } },
      headers: { location: `/v1/service-calls/${id}` },
    });
    expect(r.submitted.requestId).toBe(r.submitted.body.meta.requestId);
    expect(r.submitted.headers['x-correlation-id']).toBe(`${r.tag}-corr`);
    expect(r.replayed).toMatchObject({ status: 200, body: { data: { id } }, headers: { 'idempotent-replayed': 'true' } });
    expect(r.arraySubmitted.status).toBe(202);
    expect(r.stringSubmitted.status).toBe(202);

    expect(r.detail).toMatchObject({
      id,
      status: 'Succeeded',
      attempts: 1,
      tags: [r.tag],
      result: { statusCode: 200, responseSnippet: 'ok', error: null },
    });
    expect(target.requestsTo('/object').map((q) => q.body)).toEqual(['{"order":42,"lines":[1,2],"note":null}']);
    expect(target.requestsTo('/array').map((q) => q.body)).toEqual(['[1,"two",{"three":3}]']);
    expect(target.requestsTo('/string').map((q) => q.body)).toEqual(['plain text']);

    expect(r.firstPage.status).toBe(200);
    expect(r.firstPage.body.data).toHaveLength(2);
    expect(r.firstPage.body.meta.nextCursor).toEqual(expect.any(String));
    expect(r.secondPage.status).toBe(200);
    expect(r.secondPage.body.data).toHaveLength(1);
    expect(r.secondPage.body.meta.nextCursor).toBeNull();
    const listed = [...r.firstPage.body.data, ...r.secondPage.body.data].map((c: { id: string }) => c.id);
    expect(new Set(listed)).toEqual(new Set([id, r.arraySubmitted.body.data.id, r.stringSubmitted.body.data.id]));

    expect(r.cancelled).toMatchObject({ status: 202, body: { data: { id: r.cancelledDetail.id } } });
    expect(r.cancelledDetail.status).toBe('Cancelled');
    expect(target.requestsTo('/never')).toHaveLength(0);
    expect(r.cancelStarted).toMatchObject({ status: 409, body: { error: { code: 'CALL_ALREADY_STARTED' } } });
    expect(r.malformedId).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', details: [{ field: 'id' }] } },
    });
  }, 120_000);
});
