import { randomBytes } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { SystemClock } from '@app/common/clock';
import { ExecuteServiceCall } from '@app/common/contracts';
import { createDataSource } from '@app/common/database';
import { TargetSealer } from '@app/common/secrets';
import { eventually } from '../../../test/support/eventually';
import { createTestDatabase } from '../../../test/support/test-database';
import { migrateAll } from '../../../tools/migrate-all';
import { AttemptJournal } from '../src/execution/attempt-journal';
import { ExecuteServiceCallsHandler } from '../src/execution/execute-service-calls.handler';
import { FairConcurrencyLimit } from '../src/execution/fair-concurrency-limit';
import { ResultRecorder } from '../src/execution/result-recorder';
import { EXECUTOR_SCHEMA as S } from '../src/executor.schema';
import { HttpCallExecutor } from '../src/http/http-call-executor';
import { executionMessage } from './execution-message';
import { HeldTarget } from './held-target';

const TENANT = 'tenant-a';
const INSTANCE = 'executor-it-this-process';
const silentPino = pino({ level: 'silent' });
const silent = Object.assign(Object.create(silentPino), { logger: silentPino }) as unknown as PinoLogger;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AttemptRow {
  service_call_id: string;
  started_at: Date;
  finished_at: Date | null;
  result: { statusCode: number | null; error: { code: string } | null } | null;
  executor_instance: string;
  /** The inserting transaction: rows journalled by one statement share it. */
  xmin: string;
}

/** The handler against a real Postgres and a real loopback target, without the transport: what it journals, sends and records. */
describe('ExecuteServiceCallsHandler (real Postgres, real HTTP target)', () => {
  const sealer = new TargetSealer(randomBytes(32));
  const http = new HttpCallExecutor({ allowPrivateTargets: true });
  const target = new HeldTarget();
  let targetUrl: string;
  let dataSource: DataSource;

  const handlerWith = (maxInFlight: number, maxPerOrigin = maxInFlight, journalAheadMs?: number) =>
    new ExecuteServiceCallsHandler(
      new AttemptJournal(dataSource, INSTANCE),
      new ResultRecorder(dataSource, silentPino),
      http,
      sealer,
      new FairConcurrencyLimit(maxInFlight, maxPerOrigin),
      silent,
      new SystemClock(),
      journalAheadMs,
    );

  const execution = (timeoutMs = 5_000, base = targetUrl) => executionMessage(sealer, TENANT, base, timeoutMs);
  const pathOf = (m: ExecuteServiceCall) => `/call/${m.payload.serviceCallId}`;

  const attempts = async (messages: readonly ExecuteServiceCall[]): Promise<AttemptRow[]> =>
    dataSource.query(
      `SELECT service_call_id, started_at, finished_at, result, executor_instance, xmin::text AS xmin FROM "${S}".attempts
        WHERE tenant_id = $1 AND service_call_id = ANY($2::text[]) ORDER BY started_at, service_call_id`,
      [TENANT, messages.map((m) => m.payload.serviceCallId)],
    );
  /** An attempt row as a process writes it when it begins the attempt. */
  const journalled = (m: ExecuteServiceCall, instance: string, startedAt: Date) =>
    dataSource.query(
      `INSERT INTO "${S}".attempts (tenant_id, service_call_id, attempt, execution_message_id, correlation_id, started_at, executor_instance, timeout_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        m.tenantId,
        m.payload.serviceCallId,
        m.payload.attempt,
        m.messageId,
        m.correlationId,
        startedAt,
        instance,
        m.payload.timeoutMs,
      ],
    );
  const completionsOf = (handler: ExecuteServiceCallsHandler, messages: readonly ExecuteServiceCall[]) =>
    Promise.all(handler.handle(messages)?.completions ?? []);

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('executor_handler');
    await migrateAll(databaseUrl);
    dataSource = await createDataSource({
      url: databaseUrl,
      schema: S,
      migrations: [],
      applicationName: 'executor-it',
    }).initialize();
    targetUrl = await target.start();
  });

  afterEach(() => target.hold());

  afterAll(async () => {
    await target.stop();
    await http.close();
    await dataSource?.destroy();
  });

  it('holds a call handed over before its dueAt until then, unjournalled and outside the slots, while other calls run', async () => {
    target.release();
    const handler = handlerWith(1);
    const notBefore = new Date(Date.now() + 700);
    const early = execution();
    const held: ExecuteServiceCall = { ...early, payload: { ...early.payload, notBefore: notBefore.toISOString() } };
    const now = execution();

    const done = completionsOf(handler, [held, now]);
    await eventually('the call without a hold at the target', () => target.count(pathOf(now)) === 1);
    expect(target.count(pathOf(held))).toBe(0);
    expect(await attempts([held])).toEqual([]);

    await done;
    expect(target.count(pathOf(held))).toBe(1);
    const arrived = target.firstArrival.get(pathOf(held)) ?? 0;
    expect(arrived).toBeGreaterThanOrEqual(notBefore.getTime());
    expect(arrived - notBefore.getTime()).toBeLessThan(500);
    const [attempt] = await attempts([held]);
    expect(attempt.started_at.getTime()).toBeGreaterThanOrEqual(notBefore.getTime());
  });

  it("journals a held call a moment before its dueAt, so the journal's commit is not on its way, and sends it at its dueAt", async () => {
    target.release();
    const aheadMs = 400;
    const handler = handlerWith(1, 1, aheadMs);
    const notBefore = new Date(Date.now() + 1_000);
    const message = execution();
    const held: ExecuteServiceCall = { ...message, payload: { ...message.payload, notBefore: notBefore.toISOString() } };

    const done = completionsOf(handler, [held]);
    const journalledBy = await eventually('the held attempt journalled', async () =>
      (await attempts([held])).length > 0 ? Date.now() : undefined,
    );
    expect(journalledBy).toBeGreaterThanOrEqual(notBefore.getTime() - aheadMs);
    expect(journalledBy).toBeLessThan(notBefore.getTime());
    expect(target.count(pathOf(held))).toBe(0);

    await done;
    const arrived = target.firstArrival.get(pathOf(held)) ?? 0;
    expect(arrived).toBeGreaterThanOrEqual(notBefore.getTime());
    expect(arrived - notBefore.getTime()).toBeLessThan(aheadMs);
    const [attempt] = await attempts([held]);
    expect(attempt.started_at.getTime()).toBe(notBefore.getTime());
  });

  it('journals only the calls that hold a slot (together, in one statement); the others wait unjournalled and then run once each', async () => {
    const handler = handlerWith(2);
    const messages = Array.from({ length: 5 }, () => execution());

    const done = completionsOf(handler, messages);
    await eventually('two calls at the target', () => target.received.length >= 2);
    await pause(300); // time enough for anything else to be journalled or sent, if it were going to be
    const sent = messages.filter((m) => target.count(pathOf(m)) > 0);
    expect(sent).toHaveLength(2);
    const begun = await attempts(messages);
    expect(begun.map((r) => r.service_call_id).sort()).toEqual(sent.map((m) => m.payload.serviceCallId).sort());
    expect(new Set(begun.map((r) => r.xmin)).size).toBe(1);

    target.release();
    await done;
    expect(messages.map((m) => target.count(pathOf(m)))).toEqual([1, 1, 1, 1, 1]);
    const finished = await attempts(messages);
    expect(finished.map((r) => [r.result?.statusCode, r.result?.error, r.executor_instance])).toEqual(
      messages.map(() => [200, null, INSTANCE]),
    );
  });

  it('keeps slots for other origins: calls to a held origin take at most its share, and a call to another origin passes them', async () => {
    const other = new HeldTarget();
    const otherUrl = await other.start();
    other.release();
    try {
      const handler = handlerWith(4, 3);
      const slow = Array.from({ length: 6 }, () => execution());
      const slowDone = completionsOf(handler, slow);
      await eventually('three calls at the held origin', () => target.received.length >= 3);
      const fast = execution(5_000, otherUrl);
      await completionsOf(handler, [fast]);
      expect(other.count(pathOf(fast))).toBe(1);
      expect(slow.filter((m) => target.count(pathOf(m)) > 0)).toHaveLength(3);

      target.release();
      await slowDone;
      expect(slow.map((m) => target.count(pathOf(m)))).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      await other.stop();
    }
  });

  it('sends, once, an attempt this process journalled and never sent (its begin committed but the answer was lost)', async () => {
    const handler = handlerWith(2);
    const message = execution();
    await journalled(message, INSTANCE, new Date());
    target.release();

    await completionsOf(handler, [message]);
    await completionsOf(handler, [message]);

    expect(target.count(pathOf(message))).toBe(1);
    const [row] = await attempts([message]);
    expect(row.result).toMatchObject({ statusCode: 200, error: null });
  });

  it('records an attempt journalled by another process as interrupted once its time is up, without sending it', async () => {
    const handler = handlerWith(2);
    const message = execution(1_000);
    // Begun elsewhere longer ago than its timeout plus the 5 s grace: that process may have sent it.
    await journalled(message, 'executor-it-another-process', new Date(Date.now() - 7_000));
    target.release();

    await completionsOf(handler, [message]);

    expect(target.count(pathOf(message))).toBe(0);
    const [row] = await attempts([message]);
    expect(row.result).toMatchObject({ statusCode: null, error: { code: 'EXECUTION_INTERRUPTED' } });
  });

  it('joins a redelivery that arrives while its call is out, and sends nothing for one that arrives after it finished', async () => {
    const handler = handlerWith(2);
    const message = execution();

    const first = completionsOf(handler, [message]);
    await eventually('the call at the target', () => target.count(pathOf(message)) === 1);
    const again = completionsOf(handler, [message]);
    target.release();
    await Promise.all([first, again]);
    await completionsOf(handler, [message]);

    expect(target.count(pathOf(message))).toBe(1);
    expect(await attempts([message])).toHaveLength(1);
  });
});
