import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { createDataSource } from '@app/common/database';
import { createTestDatabase } from '../../../test/support/test-database';
import { migrateAll } from '../../../tools/migrate-all';
import { SCHEDULER_CORE_SCHEMA as S } from '../src/scheduler-core.schema';
import { TimerPoller } from '../src/timers/timer-poller';
import { timersSet } from '../src/timers/timers-set-signal';

const TENANT = 'tenant-a';
const silent = pino({ level: 'silent' });

/** The poller against a real Postgres: which timers a pass fires, by the database's clock and the lead. */
describe('TimerPoller (real Postgres)', () => {
  let dataSource: DataSource;

  /** A timer due `inMs` from now by the database's clock. */
  const timer = async (inMs: number): Promise<string> => {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO "${S}".timers (tenant_id, service_call_id, due_at, correlation_id, causation_id)
       VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000), $4, $5)`,
      [TENANT, id, inMs, randomUUID(), randomUUID()],
    );
    return id;
  };
  const firedCalls = async (): Promise<string[]> =>
    (
      await dataSource.query<{ id: string }[]>(
        `SELECT envelope->>'aggregateId' AS id FROM "${S}".outbox WHERE envelope->>'type' = 'DueTimeReached' ORDER BY id`,
      )
    ).map((r) => r.id);
  const remainingTimers = async (): Promise<string[]> =>
    (await dataSource.query<{ id: string }[]>(`SELECT service_call_id AS id FROM "${S}".timers`)).map((r) => r.id);

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('scheduler_core_timers');
    await migrateAll(databaseUrl);
    dataSource = await createDataSource({
      url: databaseUrl,
      schema: S,
      migrations: [],
      applicationName: 'timer-poller-it',
    }).initialize();
  });

  beforeEach(async () => {
    await dataSource.query(`TRUNCATE "${S}".timers, "${S}".outbox`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('fires the timers due within the lead, carrying their dueAt, and keeps the later ones', async () => {
    const overdue = await timer(-5_000);
    const withinLead = await timer(600);
    const beyondLead = await timer(5_000);

    const fired = await new TimerPoller(dataSource, silent, { leadMs: 1_000 }).fireDueTimers();

    expect(fired).toBe(2);
    expect((await firedCalls()).sort()).toEqual([overdue, withinLead].sort());
    expect(await remainingTimers()).toEqual([beyondLead]);
    const [payload] = await dataSource.query<{ payload: { dueAt: string; firedAt: string } }[]>(
      `SELECT envelope->'payload' AS payload FROM "${S}".outbox WHERE envelope->>'aggregateId' = $1`,
      [withinLead],
    );
    expect(Date.parse(payload.payload.dueAt)).toBeGreaterThan(Date.parse(payload.payload.firedAt));
  });

  it('without a lead fires only what is due by the database clock', async () => {
    const overdue = await timer(-1);
    await timer(600);

    expect(await new TimerPoller(dataSource, silent, { leadMs: 0 }).fireDueTimers()).toBe(1);
    expect(await firedCalls()).toEqual([overdue]);
  });

  it('wakes for a timer one lead before its dueAt', async () => {
    const id = await timer(1_500);
    const poller = new TimerPoller(dataSource, silent, { leadMs: 1_000, maxSleepMs: 5_000 });
    const started = Date.now();
    poller.start();
    try {
      while ((await firedCalls()).length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await poller.stop();
    }
    expect(await firedCalls()).toEqual([id]);
    const firedAfter = Date.now() - started;
    expect(firedAfter).toBeGreaterThanOrEqual(400);
    expect(firedAfter).toBeLessThan(1_400);
  });

  /** Runs a poller until `count` timers have fired (or 5 s went by). */
  const runUntilFired = async (poller: TimerPoller, count: number, meanwhile?: () => Promise<void>) => {
    const started = Date.now();
    poller.start();
    try {
      await meanwhile?.();
      while ((await firedCalls()).length < count && Date.now() - started < 5_000)
        await new Promise((r) => setTimeout(r, 10));
    } finally {
      await poller.stop();
    }
    return Date.now() - started;
  };
  const passes = async (): Promise<number> => {
    const [{ n }] = await dataSource.query<{ n: number }[]>(
      `SELECT count(DISTINCT xmin::text)::int AS n FROM "${S}".outbox WHERE envelope->>'type' = 'DueTimeReached'`,
    );
    return n;
  };

  it('fires timers that fall due a few milliseconds apart in passes at most passGapMs apart', async () => {
    // Ten timers falling due 10 ms apart over 90 ms: a pass each without a gap, three or four with 50 ms.
    for (let i = 0; i < 10; i++) await timer(1_200 + i * 10);
    await runUntilFired(new TimerPoller(dataSource, silent, { leadMs: 1_000, passGapMs: 50 }), 10);

    expect(await firedCalls()).toHaveLength(10);
    expect(await passes()).toBeLessThanOrEqual(4);
  });

  it('fires a backlog in full passes one after another, without waiting out the gap between them', async () => {
    for (let i = 0; i < 450; i++) await timer(-1_000);
    const poller = new TimerPoller(dataSource, silent, { leadMs: 1_000, passGapMs: 2_000, maxSleepMs: 5_000 });
    const tookMs = await runUntilFired(poller, 450);

    expect(await firedCalls()).toHaveLength(450);
    expect(await passes()).toBe(3);
    expect(tookMs).toBeLessThan(2_000);
  });

  it('wakes at once for a timer this process sets that falls due before the pass it waits for, and not for a later one', async () => {
    const later = await timer(4_000);
    // Counts the poller's reads of the next timer (a pass-through: every query still runs).
    let reads = 0;
    const query = dataSource.query.bind(dataSource);
    jest.spyOn(dataSource, 'query').mockImplementation((text: string, ...rest: unknown[]) => {
      if (text.includes('min(due_at)')) reads++;
      return query(text, ...(rest as [unknown[]]));
    });
    const poller = new TimerPoller(dataSource, silent, { leadMs: 1_000, maxSleepMs: 5_000 });
    let soon = '';
    let readsAfterLaterSet = 0;
    let readsBefore = 0;
    try {
      const tookMs = await runUntilFired(poller, 1, async () => {
        await new Promise((r) => setTimeout(r, 300)); // asleep until `later` is due to fire, 3 s from now
        readsBefore = reads;
        timersSet(Date.now() + 60_000); // falls due after that pass: no wake
        await new Promise((r) => setTimeout(r, 200));
        readsAfterLaterSet = reads;
        soon = await timer(500);
        timersSet(Date.now() + 500);
      });

      expect(readsBefore).toBe(1);
      expect(readsAfterLaterSet).toBe(readsBefore);
      expect(await firedCalls()).toEqual([soon]);
      expect(tookMs).toBeLessThan(1_500);
      expect(await remainingTimers()).toEqual([later]);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
