import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateAll } from '../tools/migrate-all';
import { projectRoot } from '../tools/infra/project-root';
import { rebuildReadModel, RebuildOptions } from '../tools/projection/rebuild-read-model';
import { foldedEventStore, readModelRows } from './support/read-model-fold';
import { runTool } from './support/run-tool';
import { INSERT_EVENTS_SQL, interleavedStatements, syntheticStream, syntheticStreams } from './support/synthetic-events';
import { createTestDatabase } from './support/test-database';

/** The rebuild against a real Postgres with synthetic event streams (no apps running). */
describe('projection rebuild (integration)', () => {
  let url: string;
  let db: Client;
  const reader = `test_reader_${randomBytes(4).toString('hex')}`;
  const options: RebuildOptions = {
    pageSize: 5_000,
    keepOld: false,
    lockTimeoutMs: 2_000,
    settleTimeoutMs: 30_000,
    progress: () => undefined,
  };

  beforeAll(async () => {
    url = await createTestDatabase('projection-rebuild');
    await migrateAll(url);
    db = new Client({ connectionString: url });
    await db.connect();
    await db.query(`CREATE ROLE ${reader} NOLOGIN`);
    await db.query(`GRANT USAGE ON SCHEMA projector TO ${reader}`);
    await db.query(`GRANT SELECT ON projector.service_calls TO ${reader}`);
  }, 60_000);

  afterAll(async () => {
    await db?.query(`DROP OWNED BY ${reader}`).catch(() => undefined);
    await db?.query(`DROP ROLE IF EXISTS ${reader}`).catch(() => undefined);
    await db?.end();
  });

  const client = async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    return c;
  };

  const expectedViews = () => foldedEventStore(db);
  const liveViews = (table?: string) => readModelRows(db, table);

  async function indexesAndConstraints() {
    const { rows: indexes } = await db.query(
      `SELECT indexname, regexp_replace(indexdef, ' INDEX \\S+ ON ', ' INDEX ON ') AS def FROM pg_indexes WHERE schemaname = 'projector' AND tablename = 'service_calls' ORDER BY indexname`,
    );
    const { rows: constraints } = await db.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'projector.service_calls'::regclass ORDER BY conname`,
    );
    return { indexes, constraints };
  }

  it('rebuilds ~20k events into a table equal to a fold of the event store, keeping index names and grants, and reports events/s', async () => {
    const streams = syntheticStreams(20_000);
    for (const statement of interleavedStatements(streams)) await db.query(INSERT_EVENTS_SQL, [statement]);
    // Something wrong in the live table, which the rebuild must replace.
    await db.query(`INSERT INTO projector.service_calls (tenant_id, id, status, method, url, headers, timeout_ms, created_at, updated_at, version)
                    VALUES ('tenant-a', 'not-in-the-event-store', 'Running', 'GET', 'https://x/', '{}', 1000, now(), now(), 7)`);
    const before = await indexesAndConstraints();

    const run = await runTool('projection/main.js', [], { DATABASE_URL: url });
    expect(run.stderr).not.toMatch(/projection:rebuild:/);
    expect(run.code).toBe(0);
    const figures = run.stdout.match(
      /rebuilt projector.service_calls: (\d+) events, (\d+) streams, ([\d.]+) s, (\d+) events\/s/,
    );
    expect(figures).not.toBeNull();
    const [, events, streamCount, seconds, perSecond] = figures!;
    const totalEvents = streams.reduce((n, s) => n + s.length, 0);
    expect(Number(events)).toBe(totalEvents);
    expect(Number(streamCount)).toBe(streams.length);
    expect(run.stdout).toContain('old table dropped');

    const expected = await expectedViews();
    expect(expected).toHaveLength(streams.length);
    expect(await liveViews()).toEqual(expected);
    expect(await indexesAndConstraints()).toEqual(before);
    const {
      rows: [grant],
    } = await db.query(`SELECT has_table_privilege($1, 'projector.service_calls', 'SELECT') AS ok`, [reader]);
    expect(grant.ok).toBe(true);
    const { rows: leftovers } = await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'projector' AND tablename LIKE 'service_calls_%'`,
    );
    expect(leftovers).toEqual([]);

    mkdirSync(join(projectRoot(), 'test-output'), { recursive: true });
    writeFileSync(
      join(projectRoot(), 'test-output', 'projection-rebuild-bench.json'),
      JSON.stringify(
        {
          events: Number(events),
          streams: Number(streamCount),
          seconds: Number(seconds),
          eventsPerSecond: Number(perSecond),
          output: run.stdout,
          progress: run.stderr,
        },
        null,
        2,
      ),
    );
  }, 180_000);

  it('does not miss an event committed late with a lower global_position: it waits for transactions open when a round began', async () => {
    const late = await client();
    const rebuilder = await client();
    try {
      const [lateStream, earlyStream] = [
        syntheticStream('tenant-a', 'succeeded', 1),
        syntheticStream('tenant-b', 'failed', 2),
      ];
      await late.query('BEGIN');
      await late.query(INSERT_EVENTS_SQL, [JSON.stringify(lateStream)]);
      await db.query(INSERT_EVENTS_SQL, [JSON.stringify(earlyStream)]);
      const {
        rows: [positions],
      } = await db.query(`SELECT max(global_position)::int AS visible FROM scheduler_core.events`);
      const {
        rows: [lateFirst],
      } = await late.query(`SELECT min(global_position)::int AS p FROM scheduler_core.events WHERE stream_id = $1`, [
        lateStream[0].stream_id,
      ]);
      expect(lateFirst.p).toBeLessThan(positions.visible);

      let finished = false;
      const rebuilt = rebuildReadModel(rebuilder, options).finally(() => {
        finished = true;
      });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(finished).toBe(false);
      await late.query('COMMIT');
      const figures = await rebuilt;

      expect(figures.eventsWhileLocked).toBeGreaterThanOrEqual(0);
      const live = await liveViews();
      expect(live.find((v) => v.id === lateStream[0].stream_id)).toMatchObject({ status: 'Succeeded', version: 3 });
      expect(live).toEqual(await expectedViews());
    } finally {
      await late.end();
      await rebuilder.end();
    }
  }, 60_000);

  it('keeps the old table with --keep-old, its indexes renamed aside', async () => {
    const before = await indexesAndConstraints();
    const run = await runTool('projection/main.js', ['--keep-old', '--page-size', '1000'], { DATABASE_URL: url });
    expect(run.code).toBe(0);
    const old = run.stdout.match(/old table kept as projector\.(service_calls_old_\d{17})/)![1];
    expect(await liveViews(`projector.${old}`)).toEqual(await liveViews());
    const { rows } = await db.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'projector' AND tablename = $1 ORDER BY indexname`,
      [old],
    );
    expect(rows.map((r) => r.indexname)).toEqual(before.indexes.map((i) => `${i.indexname}_old_${old.slice(-17)}`));
    expect(await indexesAndConstraints()).toEqual(before);
    await db.query(`DROP TABLE projector.${old}`);
  }, 60_000);

  it('refuses bad arguments with exit 2 and one line, and leaves the live table alone when an event cannot be projected', async () => {
    for (const args of [['--page-size', '10'], ['--keep-old', '--keep-old'], ['--force']]) {
      const run = await runTool('projection/main.js', args, { DATABASE_URL: url });
      expect(run).toMatchObject({ code: 2, stdout: '' });
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const live = await liveViews();
    const orphan = syntheticStream('tenant-a', 'succeeded', 3)
      .slice(1)
      .map((e) => ({ ...e, version: e.version + 10 }));
    await db.query(INSERT_EVENTS_SQL, [JSON.stringify(orphan)]);
    try {
      const run = await runTool('projection/main.js', [], { DATABASE_URL: url });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/cannot be projected: ExecutionRequested v12 .* before ServiceCallSubmitted/);
      expect(await liveViews()).toEqual(live);
      const { rows } = await db.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'projector' AND tablename LIKE 'service_calls_%'`,
      );
      expect(rows).toEqual([]);
    } finally {
      await db.query(`DELETE FROM scheduler_core.events WHERE stream_id = $1`, [orphan[0].stream_id]);
    }
  }, 60_000);
});
