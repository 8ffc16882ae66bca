import { Client } from 'pg';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/eventually';
import { foldedEventStore, readModelRows } from '../support/read-model-fold';
import { RecordingTarget } from '../support/recording-target';
import { runTool, ToolRun } from '../support/run-tool';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';

const FIGURES = /rebuilt projector.service_calls: (\d+) events, (\d+) streams, ([\d.]+) s, (\d+) events\/s/;

/**
 * projection:rebuild (dist/tools/projection/main.js) against the four apps as processes: the rebuilt
 * read model equals the one the projector built, and a rebuild while calls keep arriving loses nothing.
 */
describe('projection rebuild while the system runs (e2e)', () => {
  let system: RunningSystem;
  let api: ApiClient;
  let target: RecordingTarget;
  let targetUrl: string;
  let db: Client;
  const rebuild = (...args: string[]): Promise<ToolRun> =>
    runTool('projection/main.js', args, { DATABASE_URL: system.databaseUrl });
  const inFuture = () => new Date(Date.now() + 86_400_000).toISOString();

  beforeAll(async () => {
    target = new RecordingTarget((path) => (path === '/fail' ? { status: 500, body: 'no' } : { status: 200, body: 'ok' }));
    targetUrl = await target.start();
    system = await startRunningSystem('e2e-rebuild');
    api = new ApiClient(system.baseUrl, TEST_API_KEY);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await target?.stop();
  });

  /** Waits until the projector's read model equals a fold of the event store (every row, every column). */
  const projectorCaughtUp = () =>
    eventually(
      'the read model to equal a fold of the event store',
      async () => {
        const [live, folded] = [await readModelRows(db), await foldedEventStore(db)];
        return JSON.stringify(live) === JSON.stringify(folded) ? live : undefined;
      },
      30_000,
    );

  it('rebuilds a read model equal, row for row and column for column, to the one the projector built', async () => {
    const submit = async (path: string, extra: object = {}) => {
      const answer = await api.submit({
        target: { method: 'POST', url: `${targetUrl}${path}`, body: { n: 1 } },
        tags: ['rebuild'],
        ...extra,
      });
      expect(answer.status).toBe(202);
      return answer.body.data.id as string;
    };
    const succeeded = await Promise.all(Array.from({ length: 12 }, () => submit('/ok')));
    const failed = await Promise.all(Array.from({ length: 4 }, () => submit('/fail')));
    const scheduled = await Promise.all(Array.from({ length: 4 }, () => submit('/later', { dueAt: inFuture() })));
    const cancelled = await Promise.all(Array.from({ length: 4 }, () => submit('/never', { dueAt: inFuture() })));
    for (const id of [...scheduled, ...cancelled]) await api.waitForStatus(id, ['Scheduled']);
    for (const id of cancelled) expect((await api.request('DELETE', `/v1/service-calls/${id}`)).status).toBe(202);
    for (const id of succeeded) await api.waitForStatus(id, ['Succeeded']);
    for (const id of failed) await api.waitForStatus(id, ['Failed']);
    for (const id of cancelled) await api.waitForStatus(id, ['Cancelled']);

    const projected = await projectorCaughtUp();
    expect(new Set(projected.map((v) => v.status))).toEqual(new Set(['Succeeded', 'Failed', 'Scheduled', 'Cancelled']));

    const run = await rebuild('--keep-old');
    expect(run.stderr).not.toMatch(/projection:rebuild:/);
    expect(run.code).toBe(0);
    const [, events, streams] = run.stdout.match(FIGURES)!;
    expect(Number(streams)).toBe(projected.length);
    expect(Number(events)).toBeGreaterThanOrEqual(projected.length * 2);
    const old = run.stdout.match(/old table kept as (projector\.service_calls_old_\d+)/)![1];

    expect(await readModelRows(db)).toEqual(await readModelRows(db, old));
    expect((await api.get(succeeded[0])).body.data).toMatchObject({ id: succeeded[0], status: 'Succeeded', attempts: 1 });
    await db.query(`DROP TABLE ${old}`);
  }, 120_000);

  it('rebuilds while calls keep arriving; afterwards the read model equals the event store and the gateway answers', async () => {
    const submittedDuring: string[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const answer = await api.submit({ target: { method: 'GET', url: `${targetUrl}/ok` }, tags: ['during'] });
        expect(answer.status).toBe(202);
        submittedDuring.push(answer.body.data.id);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await eventually('calls flowing before the rebuild', () => submittedDuring.length >= 10, 20_000);
    const before = submittedDuring.length;
    const run = await rebuild();
    const whileRebuilding = submittedDuring.length - before;
    await eventually(
      'calls flowing after the rebuild',
      () => submittedDuring.length >= before + whileRebuilding + 10,
      20_000,
    );
    stop = true;
    await load;

    expect(run.stderr).not.toMatch(/projection:rebuild:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(FIGURES);
    expect(run.stdout).toContain('old table dropped');
    expect(whileRebuilding).toBeGreaterThan(0);

    for (const id of submittedDuring) await api.waitForStatus(id, ['Succeeded']);
    const live = await projectorCaughtUp();
    expect(live.filter((v) => v.tags.includes('during'))).toHaveLength(submittedDuring.length);
    expect(new Set(target.received.map((r) => r.headers['idempotency-key'])).size).toBe(target.received.length);

    const list = await api.request('GET', '/v1/service-calls?tag=during&limit=100');
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBe(Math.min(100, submittedDuring.length));
    const { rows: tables } = await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'projector' AND tablename LIKE 'service_calls_%'`,
    );
    expect(tables).toEqual([]);
    process.stdout.write(`[e2e rebuild] ${run.stdout.trim()} (${whileRebuilding} calls submitted while it ran)\n`);
  }, 180_000);
});
