import { randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import {
  CancelServiceCall,
  DueTimeReached,
  RecordExecutionResult,
  SchedulerCommandMessage,
  ServiceCallEvent,
  ServiceCallEventMessage,
  SubmitServiceCall,
  TOPICS,
} from '@app/common/contracts';
import { createDataSource, isUniqueViolation, withConnection } from '@app/common/database';
import { commandBatches } from '@app/common/observability';
import { CommittedOutboxRow, onOutboxCommitted, onOutboxFirstRowsCommitted } from '@app/common/outbox';
import { createTestDatabase } from '../../../test/support/test-database';
import { migrateAll } from '../../../tools/migrate-all';
import { eventMessages } from '../src/commands/outgoing-messages';
import { streamKey } from '../src/commands/plan-command-batch';
import { ProcessSchedulerCommands } from '../src/commands/process-scheduler-commands.command';
import { ProcessSchedulerCommandsHandler } from '../src/commands/process-scheduler-commands.handler';
import { MessageClaim, PostgresEventStore, StreamAppend } from '../src/event-store/postgres-event-store';
import { SCHEDULER_CORE_SCHEMA as S } from '../src/scheduler-core.schema';
import { backendPid, OpenTransactions, untilWaitingOnLock } from '../../../test/support/postgres-sessions';
import { failureOf } from '../../../test/support/failure-of';

const TENANT = 'tenant-a';
const silentPino = pino({ level: 'silent' });
/** What the handler uses of nestjs-pino's PinoLogger: pino's methods plus `.logger`. */
const silent = Object.assign(Object.create(silentPino), { logger: silentPino }) as unknown as PinoLogger;
const target = { method: 'POST', url: 'https://example.com/hook', headers: { 'content-type': 'application/json' } } as const;
const sealedTarget = { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' };
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

function submittedEvent(serviceCallId: string, dueAt: string | null = null, tenantId = TENANT): ServiceCallEvent {
  return {
    type: 'ServiceCallSubmitted',
    data: {
      serviceCallId,
      tenantId,
      target,
      sealedTarget,
      dueAt,
      tags: ['it'],
      timeoutMs: 1_000,
      submittedAt: new Date().toISOString(),
    },
  };
}

const scheduledEvent = (dueAt: string): ServiceCallEvent => ({ type: 'ServiceCallScheduled', data: { dueAt } });
const requestedEvent = (attempt = 1): ServiceCallEvent => ({
  type: 'ExecutionRequested',
  data: { attempt, requestedAt: new Date().toISOString() },
});
const cancelledEvent = (): ServiceCallEvent => ({
  type: 'ServiceCallCancelled',
  data: { cancelledAt: new Date().toISOString() },
});

function messagesAt(
  serviceCallId: string,
  fromVersion: number,
  events: ServiceCallEvent[],
  tenantId = TENANT,
): ServiceCallEventMessage[] {
  return eventMessages(
    { tenantId, serviceCallId },
    events,
    fromVersion,
    { messageId: randomUUID(), correlationId: randomUUID() },
    new Date(),
  );
}

const appendOf = (
  serviceCallId: string,
  expectedVersion: number,
  events: ServiceCallEvent[],
  tenantId = TENANT,
): StreamAppend => ({
  ref: { tenantId, serviceCallId },
  expectedVersion,
  events: messagesAt(serviceCallId, expectedVersion, events, tenantId),
});

function command<T extends SchedulerCommandMessage>(type: T['type'], serviceCallId: string, payload: T['payload']): T {
  return {
    messageId: randomUUID(),
    tenantId: TENANT,
    aggregateType: 'ServiceCall',
    aggregateId: serviceCallId,
    type,
    schemaVersion: 1,
    timestamp: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    payload,
  } as T;
}

const submit = (serviceCallId: string, dueAt: string | null = null) =>
  command<SubmitServiceCall>('SubmitServiceCall', serviceCallId, {
    serviceCallId,
    target,
    sealedTarget,
    dueAt,
    tags: ['it'],
    timeoutMs: 1_000,
    submittedAt: new Date().toISOString(),
  });
const cancel = (serviceCallId: string) =>
  command<CancelServiceCall>('CancelServiceCall', serviceCallId, { serviceCallId, requestedAt: new Date().toISOString() });
const due = (serviceCallId: string, dueAt: string) =>
  command<DueTimeReached>('DueTimeReached', serviceCallId, { serviceCallId, dueAt, firedAt: new Date().toISOString() });

const succeeded = (serviceCallId: string, attempt = 1) =>
  command<RecordExecutionResult>('RecordExecutionResult', serviceCallId, {
    serviceCallId,
    attempt,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    result: { statusCode: 200, latencyMs: 3, responseSnippet: 'ok', responseHeaders: {}, error: null },
  });

describe('PostgresEventStore and ProcessSchedulerCommandsHandler (real Postgres)', () => {
  let dataSource: DataSource;
  const store = new PostgresEventStore();
  const transactions = new OpenTransactions(() => dataSource);

  beforeAll(async () => {
    const url = await createTestDatabase('event-store');
    await migrateAll(url);
    dataSource = await createDataSource({
      url,
      schema: S,
      migrations: [],
      applicationName: 'event-store-it',
      poolSize: 16,
    }).initialize();
  });

  afterEach(() => transactions.closeAll());

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const openTransaction = () => transactions.open();
  const append = (appends: StreamAppend[], manager: EntityManager = dataSource.manager, claims: MessageClaim[] = []) =>
    manager === dataSource.manager
      ? withConnection(dataSource, (m) => store.appendToStreams(m, appends, claims))
      : store.appendToStreams(manager, appends, claims);
  const claimFor = (serviceCallId: string): MessageClaim => ({
    ref: { tenantId: TENANT, serviceCallId },
    messageId: randomUUID(),
    type: 'SubmitServiceCall',
  });
  const recorded = async (claims: MessageClaim[]): Promise<string[]> =>
    (
      await dataSource.query(`SELECT message_id FROM "${S}".inbox WHERE message_id = ANY($1::text[])`, [
        claims.map((c) => c.messageId),
      ])
    ).map((r: { message_id: string }) => r.message_id);
  const keyOf = (serviceCallId: string, tenantId = TENANT) => streamKey({ tenantId, serviceCallId });

  const storedVersions = async (serviceCallId: string, tenantId = TENANT): Promise<number[]> =>
    (
      await dataSource.query(`SELECT version FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY version`, [
        tenantId,
        serviceCallId,
      ])
    ).map((r: { version: number }) => r.version);

  /** Resolves once some backend's append to the events table waits on another transaction's row lock. */
  async function untilAnEventInsertWaits(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows: { pid: number }[] = await dataSource.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
        [`%INSERT INTO "${S}".events%`],
      );
      if (rows.length > 0) return;
      if (Date.now() > deadline) throw new Error('no append ever waited on the rival');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  describe('readStreams and appendToStreams', () => {
    it('appends many streams at their expected versions in one call and reads them back folded; the tenant is part of the key', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      expect(
        await append([
          appendOf(a, 0, [submittedEvent(a), requestedEvent()]),
          appendOf(b, 0, [submittedEvent(b, inAnHour()), scheduledEvent(inAnHour())]),
        ]),
      ).toEqual(new Set());
      expect(await append([appendOf(b, 2, [cancelledEvent()])])).toEqual(new Set());

      const streams = await store.readStreams(dataSource.manager, [
        { tenantId: TENANT, serviceCallId: a },
        { tenantId: TENANT, serviceCallId: b },
        { tenantId: 'tenant-b', serviceCallId: a },
      ]);
      expect(streams.get(keyOf(a))).toMatchObject({ version: 2, state: { status: 'Running', attempt: 1 } });
      expect(streams.get(keyOf(b))).toMatchObject({ version: 3, state: { status: 'Cancelled' } });
      // The same id under another tenant is another stream, absent until written.
      expect(streams.has(keyOf(a, 'tenant-b'))).toBe(false);
      expect(await append([appendOf(a, 0, [submittedEvent(a, null, 'tenant-b')], 'tenant-b')])).toEqual(new Set());
      expect(await storedVersions(a, 'tenant-b')).toEqual([1]);
      expect(await storedVersions(a)).toEqual([1, 2]);
    });

    it('reports a stream whose expectedVersion is stale or ahead as conflicted and writes nothing of it, while the other streams of the call are appended', async () => {
      const [stale, ahead, fine] = [randomUUID(), randomUUID(), randomUUID()];
      await append([
        appendOf(stale, 0, [submittedEvent(stale), requestedEvent()]),
        appendOf(ahead, 0, [submittedEvent(ahead)]),
      ]);
      const staleAppend = appendOf(stale, 1, [requestedEvent(2)]);
      const conflicts = await append([
        staleAppend,
        appendOf(ahead, 3, [requestedEvent()]),
        appendOf(fine, 0, [submittedEvent(fine), requestedEvent()]),
      ]);
      expect(conflicts).toEqual(new Set([keyOf(stale), keyOf(ahead)]));
      expect(await storedVersions(stale)).toEqual([1, 2]);
      expect(await storedVersions(ahead)).toEqual([1]);
      expect(await storedVersions(fine)).toEqual([1, 2]);
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM "${S}".events WHERE event_id = $1`, [
        staleAppend.events[0].messageId,
      ]);
      expect(count).toBe(0);
    });

    it('queues the outbox rows, changes the timers and records the messages of exactly the streams whose events went in, in the same statement', async () => {
      const [stale, fine, rearmed, untouched] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await append([appendOf(stale, 0, [submittedEvent(stale, inAnHour()), scheduledEvent(inAnHour())])]);
      const withEffects = (a: StreamAppend, dueAt: string): StreamAppend => ({
        ...a,
        outbox: a.events.map((envelope) => ({ topic: TOPICS.events, envelope })),
        timer: { kind: 'set', dueAt, correlationId: randomUUID(), causationId: randomUUID() },
      });
      const dueAt = inAnHour();
      // A message decided on a stream with nothing to write (a rejected command) is recorded all the same.
      const claims = [stale, fine, rearmed, untouched].map(claimFor);
      const conflicts = await append(
        [
          withEffects(appendOf(stale, 1, [cancelledEvent()]), dueAt),
          withEffects(appendOf(fine, 0, [submittedEvent(fine, dueAt), scheduledEvent(dueAt)]), dueAt),
          // No events (a timer fired early is re-armed), still at its expected version: its timer change applies.
          withEffects(appendOf(rearmed, 0, []), dueAt),
        ],
        dataSource.manager,
        claims,
      );

      expect(conflicts).toEqual(new Set([keyOf(stale)]));
      expect((await recorded(claims)).sort()).toEqual(
        claims
          .slice(1)
          .map((c) => c.messageId)
          .sort(),
      );
      const queued = async (id: string) =>
        (
          await dataSource.query<{ type: string }[]>(
            `SELECT envelope->>'type' AS type FROM "${S}".outbox WHERE message_key = $1 ORDER BY id`,
            [id],
          )
        ).map((r) => r.type);
      const timerOf = async (id: string) =>
        (
          await dataSource.query<{ due_at: Date }[]>(`SELECT due_at FROM "${S}".timers WHERE service_call_id = $1`, [id])
        ).map((r) => r.due_at.toISOString());
      expect(await queued(stale)).toEqual([]);
      expect(await timerOf(stale)).toEqual([]);
      expect(await queued(fine)).toEqual(['ServiceCallSubmitted', 'ServiceCallScheduled']);
      expect(await timerOf(fine)).toEqual([dueAt]);
      expect(await timerOf(rearmed)).toEqual([dueAt]);

      await append([{ ...appendOf(fine, 2, [cancelledEvent()]), timer: { kind: 'clear' } }]);
      expect(await timerOf(fine)).toEqual([]);
    });

    it("hands over nothing written inside a transaction, not even a new stream's rows: they are not committed yet", async () => {
      const handed: CommittedOutboxRow[][] = [];
      const stopTaking = onOutboxFirstRowsCommitted(S, (rows) => handed.push([...rows]));
      try {
        const id = randomUUID();
        const runner = await openTransaction();
        const fresh = appendOf(id, 0, [submittedEvent(id)]);
        await append(
          [{ ...fresh, outbox: fresh.events.map((envelope) => ({ topic: TOPICS.events, envelope })) }],
          runner.manager,
        );
        await runner.commitTransaction();
        expect(await storedVersions(id)).toEqual([1]);
        expect(handed).toEqual([]);
      } finally {
        stopTaking();
      }
    });

    it('guards a stream with nothing to write: a rejection or re-armed timer decided against a version that moved on is reported, its message not recorded, its timer left', async () => {
      const [moved, current] = [randomUUID(), randomUUID()];
      await append([
        appendOf(moved, 0, [submittedEvent(moved, inAnHour()), scheduledEvent(inAnHour())]),
        appendOf(current, 0, [submittedEvent(current, inAnHour()), scheduledEvent(inAnHour())]),
      ]);
      await append([appendOf(moved, 2, [requestedEvent()])]);
      const rearm = (id: string): StreamAppend => ({
        ...appendOf(id, 2, []),
        timer: { kind: 'set', dueAt: inAnHour(), correlationId: randomUUID(), causationId: randomUUID() },
      });
      const claims = [claimFor(moved), claimFor(current)];

      expect(await append([rearm(moved), rearm(current)], dataSource.manager, claims)).toEqual(new Set([keyOf(moved)]));
      expect(await recorded(claims)).toEqual([claims[1].messageId]);
      const timers = await dataSource.query<{ service_call_id: string }[]>(
        `SELECT service_call_id FROM "${S}".timers WHERE service_call_id = ANY($1::text[])`,
        [[moved, current]],
      );
      expect(timers.map((t) => t.service_call_id)).toEqual([current]);
    });

    it('refuses events whose versions do not follow the expected version', async () => {
      const id = randomUUID();
      const gap: StreamAppend = {
        ref: { tenantId: TENANT, serviceCallId: id },
        expectedVersion: 0,
        events: messagesAt(id, 1, [submittedEvent(id)]),
      };
      await expect(append([gap])).rejects.toThrow(/has version 2, expected 1/);
      expect(await storedVersions(id)).toEqual([]);
    });

    it('lets exactly one of two open transactions append at the same expectedVersion; the other waits, then fails and writes nothing', async () => {
      const id = randomUUID();
      const first = await openTransaction();
      const second = await openTransaction();
      const secondPid = await backendPid(second);
      const mine = appendOf(id, 0, [submittedEvent(id)]);
      const theirs = appendOf(id, 0, [submittedEvent(id)]);
      const theirClaim = claimFor(id);
      expect(await store.appendToStreams(first.manager, [mine])).toEqual(new Set());
      const secondAppend = failureOf(store.appendToStreams(second.manager, [theirs], [theirClaim]));
      await untilWaitingOnLock(dataSource, secondPid);
      await first.commitTransaction();
      expect(isUniqueViolation(await secondAppend)).toBe(true);
      await second.rollbackTransaction();
      expect(await recorded([theirClaim])).toEqual([]);
      const rows = await dataSource.query(`SELECT event_id FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2`, [
        TENANT,
        id,
      ]);
      expect(rows.map((r: { event_id: string }) => r.event_id)).toEqual([mine.events[0].messageId]);
    });

    it('leaves none of its rows behind when a rival takes a version in the middle of its events', async () => {
      const id = randomUUID();
      await append([appendOf(id, 0, [submittedEvent(id, inAnHour()), scheduledEvent(inAnHour())])]);
      const rival = await openTransaction();
      const rivalAppend = appendOf(id, 2, [cancelledEvent()]);
      await store.appendToStreams(rival.manager, [rivalAppend]);
      // Three events from version 2: the first collides with the rival's, the two after it would not.
      const mineEvents = appendOf(id, 2, [scheduledEvent(inAnHour()), requestedEvent(), cancelledEvent()]);
      const mine = { ...mineEvents, outbox: mineEvents.events.map((envelope) => ({ topic: TOPICS.events, envelope })) };
      const me = await openTransaction();
      const myPid = await backendPid(me);
      const outcome = failureOf(store.appendToStreams(me.manager, [mine]));
      await untilWaitingOnLock(dataSource, myPid);
      await rival.commitTransaction();
      expect(isUniqueViolation(await outcome)).toBe(true);
      await me.rollbackTransaction();
      expect(await storedVersions(id)).toEqual([1, 2, 3]);
      const [{ type, event_id }] = await dataSource.query(
        `SELECT type, event_id FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2 AND version = 3`,
        [TENANT, id],
      );
      expect([type, event_id]).toEqual(['ServiceCallCancelled', rivalAppend.events[0].messageId]);
      const [{ queued }] = await dataSource.query(
        `SELECT count(*)::int AS queued FROM "${S}".outbox WHERE message_id = ANY($1::uuid[])`,
        [mine.events.map((e) => e.messageId)],
      );
      expect(queued).toBe(0);
    });

    it('gives exactly one success among many concurrent appends at the same expectedVersion; the others report the conflict or fail, and write nothing', async () => {
      const id = randomUUID();
      await append([appendOf(id, 0, [submittedEvent(id)])]);
      const claims = Array.from({ length: 8 }, () => claimFor(id));
      const outcomes = await Promise.all(
        claims.map((claim) =>
          append([appendOf(id, 1, [requestedEvent()])], dataSource.manager, [claim]).then(
            (conflicts) => (conflicts.size === 0 ? 'appended' : 'conflict'),
            (error: unknown) => (isUniqueViolation(error) ? 'failed' : error),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'appended')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'conflict' || o === 'failed')).toHaveLength(7);
      expect(await storedVersions(id)).toEqual([1, 2]);
      // Only the winner's message is recorded as processed.
      expect(await recorded(claims)).toEqual([claims[outcomes.indexOf('appended')].messageId]);
    });

    it('fails, writing nothing, when a message of the write was recorded by a rival meanwhile', async () => {
      const [id, other] = [randomUUID(), randomUUID()];
      const claim = claimFor(id);
      const rival = await openTransaction();
      await store.appendToStreams(rival.manager, [], [claim]);
      const me = await openTransaction();
      const myPid = await backendPid(me);
      const outcome = failureOf(
        store.appendToStreams(
          me.manager,
          [appendOf(id, 0, [submittedEvent(id)]), appendOf(other, 0, [submittedEvent(other)])],
          [claim],
        ),
      );
      await untilWaitingOnLock(dataSource, myPid);
      await rival.commitTransaction();
      expect(isUniqueViolation(await outcome)).toBe(true);
      await me.rollbackTransaction();
      expect(await storedVersions(id)).toEqual([]);
      expect(await storedVersions(other)).toEqual([]);
    });
  });

  describe('ProcessSchedulerCommandsHandler', () => {
    let handler: ProcessSchedulerCommandsHandler;

    beforeAll(() => {
      handler = new ProcessSchedulerCommandsHandler(dataSource, store, silent);
    });

    const run = (...messages: SchedulerCommandMessage[]) => handler.execute(new ProcessSchedulerCommands(messages));

    async function written(serviceCallId: string) {
      const events: { version: number; type: string; event_id: string }[] = await dataSource.query(
        `SELECT version, type, event_id FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY version`,
        [TENANT, serviceCallId],
      );
      const outbox: { id: string; topic: string; message_id: string; type: string; version: number | null }[] =
        await dataSource.query(
          `SELECT id, topic, message_id, envelope->>'type' AS type, (envelope->>'version')::int AS version FROM "${S}".outbox WHERE message_key = $1 ORDER BY id`,
          [serviceCallId],
        );
      const timers: { due_at: Date }[] = await dataSource.query(
        `SELECT due_at FROM "${S}".timers WHERE tenant_id = $1 AND service_call_id = $2`,
        [TENANT, serviceCallId],
      );
      return { events, outbox, timers };
    }

    const eventTypes = async (id: string) => (await written(id)).events.map((e) => [e.version, e.type]);
    const inboxCount = async (messageIds: string[]): Promise<number> =>
      (await dataSource.query(`SELECT count(*)::int AS count FROM "${S}".inbox WHERE message_id = ANY($1)`, [messageIds]))[0]
        .count;

    /** Every stream numbered 1..n without a gap, each event once, and each event out through the outbox exactly once. */
    async function expectConsistent(serviceCallId: string): Promise<void> {
      const { events, outbox } = await written(serviceCallId);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      const published = outbox.filter((o) => o.topic === TOPICS.events);
      expect(published.map((o) => [o.message_id, o.version])).toEqual(events.map((e) => [e.event_id, e.version]));
      const executions = outbox.filter((o) => o.topic === TOPICS.executions);
      expect(executions).toHaveLength(events.filter((e) => e.type === 'ExecutionRequested').length);
    }

    it('turns a SubmitServiceCall into its events and one ExecuteServiceCall, and ignores the same command delivered again', async () => {
      const id = randomUUID();
      const message = submit(id);
      await run(message);
      const once = await written(id);
      expect(once.events.map((e) => [e.version, e.type])).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ExecutionRequested'],
      ]);
      expect(once.outbox.map((o) => [o.topic, o.type])).toEqual([
        [TOPICS.events, 'ServiceCallSubmitted'],
        [TOPICS.events, 'ExecutionRequested'],
        [TOPICS.executions, 'ExecuteServiceCall'],
      ]);
      // Events go out under their own ids, so consumers can dedupe a republished event.
      expect(once.outbox.slice(0, 2).map((o) => o.message_id)).toEqual(once.events.map((e) => e.event_id));

      await run(message);
      expect(await written(id)).toEqual(once);
      expect(await inboxCount([message.messageId])).toBe(1);
    });

    it('applies a command delivered twice at the same time only once', async () => {
      const id = randomUUID();
      const message = submit(id);
      await Promise.all([run(message), run(message)]);
      const { events, outbox } = await written(id);
      expect(events.map((e) => e.version)).toEqual([1, 2]);
      expect(outbox).toHaveLength(3);
    });

    it('changes nothing twice for a batch that repeats a message and holds one processed before', async () => {
      const [x, y, z] = [randomUUID(), randomUUID(), randomUUID()];
      const processedBefore = submit(y);
      await run(processedBefore);
      const yBefore = await written(y);

      const repeated = submit(x, inAnHour());
      const fresh = submit(z);
      await run(repeated, processedBefore, repeated, fresh, repeated);

      expect(await eventTypes(x)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
      ]);
      expect(await eventTypes(z)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ExecutionRequested'],
      ]);
      expect(await written(y)).toEqual(yBefore);
      for (const id of [x, y, z]) await expectConsistent(id);
      expect((await written(x)).timers).toHaveLength(1);
      expect(await inboxCount([repeated.messageId, processedBefore.messageId, fresh.messageId])).toBe(3);

      // The whole batch delivered again: nothing moves.
      const before = await Promise.all([x, y, z].map(written));
      await run(repeated, processedBefore, fresh);
      expect(await Promise.all([x, y, z].map(written))).toEqual(before);
    });

    it('applies commands for the same call in one batch in order: submit scheduled then cancel', async () => {
      const id = randomUUID();
      await run(submit(id, inAnHour()), cancel(id));
      expect(await eventTypes(id)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
        [3, 'ServiceCallCancelled'],
      ]);
      const { outbox, timers } = await written(id);
      expect(outbox.map((o) => o.type)).toEqual(['ServiceCallSubmitted', 'ServiceCallScheduled', 'ServiceCallCancelled']);
      // Scheduled and cancelled in one transaction: no timer is left to fire.
      expect(timers).toEqual([]);
      await expectConsistent(id);

      // The other order within a batch: the cancel finds no call yet and is rejected; the submit runs.
      const other = randomUUID();
      await run(cancel(other), submit(other));
      expect(await eventTypes(other)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ExecutionRequested'],
      ]);
      expect((await written(other)).outbox.map((o) => o.type)).toEqual([
        'ServiceCallSubmitted',
        'ExecutionRequested',
        'ExecuteServiceCall',
      ]);

      // Submitted to run now, then cancelled in the same batch: too late, the call already started.
      const started = randomUUID();
      await run(submit(started), cancel(started));
      expect(await eventTypes(started)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ExecutionRequested'],
      ]);
    });

    it('keeps the timers table in step: set on a scheduled submit, re-armed by an early firing, cleared when due or cancelled', async () => {
      const id = randomUUID();
      const dueAt = inAnHour();
      await run(submit(id, dueAt));
      expect((await written(id)).timers.map((t) => t.due_at.toISOString())).toEqual([dueAt]);

      // The poller took the timer (it deletes what it fires) and it fired early: NOT_YET_DUE puts it back.
      await dataSource.query(`DELETE FROM "${S}".timers WHERE tenant_id = $1 AND service_call_id = $2`, [TENANT, id]);
      await run(due(id, dueAt));
      const early = await written(id);
      expect(early.timers.map((t) => t.due_at.toISOString())).toEqual([dueAt]);
      expect(early.events).toHaveLength(2);

      await run(cancel(id));
      expect((await written(id)).timers).toEqual([]);

      // A call whose due time has passed: the firing runs it and clears its timer.
      const soon = randomUUID();
      const soonAt = new Date(Date.now() + 300).toISOString();
      await run(submit(soon, soonAt));
      expect((await written(soon)).timers).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 400));
      await run(due(soon, soonAt));
      expect(await eventTypes(soon)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
        [3, 'ExecutionRequested'],
      ]);
      expect((await written(soon)).timers).toEqual([]);
      await expectConsistent(soon);
    });

    it("hands a new call's outbox rows over to the publisher as soon as they are written (the first of their key), and wakes it for a poll for a later command's", async () => {
      let signals = 0;
      const handed: CommittedOutboxRow[][] = [];
      const stopListening = onOutboxCommitted(S, () => (signals += 1));
      const stopTaking = onOutboxFirstRowsCommitted(S, (rows) => handed.push([...rows]));
      try {
        const id = randomUUID();
        await run(submit(id, inAnHour()));
        const stored: CommittedOutboxRow[] = await dataSource.query(
          `SELECT id, topic, envelope, traceparent FROM "${S}".outbox WHERE message_key = $1 ORDER BY id`,
          [id],
        );
        expect(stored.map((r) => r.envelope.type)).toEqual(['ServiceCallSubmitted', 'ServiceCallScheduled']);
        expect({ signals, handed }).toEqual({ signals: 0, handed: [stored] });

        await run(cancel(id));
        expect({ signals, handed: handed.length }).toEqual({ signals: 1, handed: 1 });

        // A call to run now: its ExecuteServiceCall is handed over with its events.
        const now = randomUUID();
        await run(submit(now));
        const storedNow: CommittedOutboxRow[] = await dataSource.query(
          `SELECT id, topic, envelope, traceparent FROM "${S}".outbox WHERE message_key = $1 ORDER BY id`,
          [now],
        );
        expect(storedNow.map((r) => r.topic)).toEqual([TOPICS.events, TOPICS.events, TOPICS.executions]);
        expect({ signals, handed: handed.slice(1) }).toEqual({ signals: 1, handed: [storedNow] });
      } finally {
        stopListening();
        stopTaking();
      }
    });

    it('decides a command that lost a version race again, against the stream that won', async () => {
      const id = randomUUID();
      const dueAt = new Date(Date.now() + 300).toISOString();
      await run(submit(id, dueAt));
      await new Promise((r) => setTimeout(r, 400));

      // Another writer appends version 3 and has not committed yet when DueTimeReached is decided against version 2.
      const rival = await openTransaction();
      await store.appendToStreams(rival.manager, [appendOf(id, 2, [cancelledEvent()])]);
      const fired = due(id, dueAt);
      const handled = run(fired);
      await untilAnEventInsertWaits();
      await rival.commitTransaction();
      await handled;

      expect(await eventTypes(id)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
        [3, 'ServiceCallCancelled'],
      ]);
      // Decided again against "Cancelled": the timer firing changes nothing and nothing is executed.
      expect((await written(id)).outbox.map((o) => o.type)).toEqual(['ServiceCallSubmitted', 'ServiceCallScheduled']);
      expect(await inboxCount([fired.messageId])).toBe(1);
    });

    it('decides a batch again when a rival takes a stream version during its write; every stream is appended once and contiguous', async () => {
      const [fresh, moved, ripe] = [randomUUID(), randomUUID(), randomUUID()];
      const ripeAt = new Date(Date.now() + 300).toISOString();
      await run(submit(moved, inAnHour()), submit(ripe, ripeAt));
      await new Promise((r) => setTimeout(r, 400));

      // Between the batch's load and its append, another writer reschedules `moved` (version 3).
      const rival = await openTransaction();
      const rescheduledAt = inAnHour();
      await store.appendToStreams(rival.manager, [appendOf(moved, 2, [scheduledEvent(rescheduledAt)])]);
      const handled = run(submit(fresh), cancel(moved), due(ripe, ripeAt));
      await untilAnEventInsertWaits();
      await rival.commitTransaction();
      await handled;

      expect(await eventTypes(fresh)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ExecutionRequested'],
      ]);
      expect(await eventTypes(ripe)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
        [3, 'ExecutionRequested'],
      ]);
      // The cancel was decided again after the rival's event and lands behind it.
      expect(await eventTypes(moved)).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
        [3, 'ServiceCallScheduled'],
        [4, 'ServiceCallCancelled'],
      ]);
      const movedOutbox = (await written(moved)).outbox;
      expect(movedOutbox.filter((o) => o.type === 'ServiceCallCancelled').map((o) => o.version)).toEqual([4]);
      expect((await written(moved)).timers).toEqual([]);
      expect((await written(ripe)).timers).toEqual([]);
      await expectConsistent(fresh);
      await expectConsistent(ripe);
      // `moved`: its own events went out once; the rival's event is the rival's to publish.
      const { events } = await written(moved);
      expect(movedOutbox.filter((o) => o.topic === TOPICS.events).map((o) => o.message_id)).toEqual(
        events.filter((e) => e.version !== 3).map((e) => e.event_id),
      );
    });

    it.each([1, 2, 3])(
      'gives every stream one outcome when handlers run concurrently on overlapping batches (round %i)',
      async (round) => {
        const ids = Array.from({ length: 8 }, () => randomUUID());
        const past = anHourAgo();
        await append(ids.map((id) => appendOf(id, 0, [submittedEvent(id, past), scheduledEvent(past)])));

        // Six batches of timer firings (distinct messages) over overlapping streams, each in its own order.
        const batches = Array.from({ length: 6 }, (_, b) =>
          Array.from({ length: 5 }, (_, i) => ids[(b * (round + 2) + i * (b % 2 === 0 ? 3 : 5)) % ids.length]),
        ).map((picks) => [...new Set(picks)].map((id) => due(id, past)));
        const outcomes = await Promise.allSettled(batches.map((batch) => run(...batch)));
        expect(outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason))).toEqual([]);

        const touched = new Set(batches.flat().map((m) => m.aggregateId));
        for (const id of ids) {
          const expected = touched.has(id)
            ? [
                [1, 'ServiceCallSubmitted'],
                [2, 'ServiceCallScheduled'],
                [3, 'ExecutionRequested'],
              ]
            : [
                [1, 'ServiceCallSubmitted'],
                [2, 'ServiceCallScheduled'],
              ];
          expect(await eventTypes(id)).toEqual(expected);
          const { outbox } = await written(id);
          expect(outbox.map((o) => o.type)).toEqual(touched.has(id) ? ['ExecutionRequested', 'ExecuteServiceCall'] : []);
        }
        expect(await inboxCount(batches.flat().map((m) => m.messageId))).toBe(batches.flat().length);
      },
    );

    describe('deciding from the stream cache', () => {
      /** A handler of its own (its own cache), with its event store's reads counted. */
      function handlerWithCountedReads() {
        const counted = new PostgresEventStore();
        const reads = { batch: jest.spyOn(counted, 'readBatch'), streams: jest.spyOn(counted, 'readStreams') };
        const own = new ProcessSchedulerCommandsHandler(dataSource, counted, silent);
        return {
          reads,
          run: (...messages: SchedulerCommandMessage[]) => own.execute(new ProcessSchedulerCommands(messages)),
        };
      }
      const batchesRead = async (read: string) =>
        (await commandBatches.get()).values.find((v) => v.labels.read === read)?.value ?? 0;

      it('decides a batch on streams it appended to last, and a new call, without reading them', async () => {
        const { reads, run: decide } = handlerWithCountedReads();
        const [scheduled, running, fresh] = [randomUUID(), randomUUID(), randomUUID()];
        await decide(submit(scheduled, inAnHour()), submit(running));
        expect(reads.batch).toHaveBeenCalledTimes(1);
        const fromCache = await batchesRead('cache');

        await decide(cancel(scheduled), succeeded(running), submit(fresh));
        expect(reads.batch).toHaveBeenCalledTimes(1);
        expect(reads.streams).not.toHaveBeenCalled();
        expect(await batchesRead('cache')).toBe(fromCache + 1);
        expect(await eventTypes(scheduled)).toEqual([
          [1, 'ServiceCallSubmitted'],
          [2, 'ServiceCallScheduled'],
          [3, 'ServiceCallCancelled'],
        ]);
        expect(await eventTypes(running)).toEqual([
          [1, 'ServiceCallSubmitted'],
          [2, 'ExecutionRequested'],
          [3, 'ServiceCallSucceeded'],
        ]);
        expect(await eventTypes(fresh)).toEqual([
          [1, 'ServiceCallSubmitted'],
          [2, 'ExecutionRequested'],
        ]);
        expect((await written(scheduled)).timers).toEqual([]);
        for (const id of [scheduled, running, fresh]) await expectConsistent(id);

        // A command on a call that finished, or one it never saw, is read for.
        await decide(cancel(running));
        expect(reads.batch).toHaveBeenCalledTimes(2);
      });

      it('reads again a stream another process moved on, and decides against that, even where the stale state changed nothing', async () => {
        const first = handlerWithCountedReads();
        const second = handlerWithCountedReads();
        const id = randomUUID();
        const dueAt = new Date(Date.now() + 300).toISOString();
        await first.run(submit(id, dueAt));
        await new Promise((r) => setTimeout(r, 400));
        // The partition moved to another consumer, which ran the call; then it came back.
        await second.run(due(id, dueAt));

        // Against the first's cached "Scheduled", the result would change nothing and be recorded as processed.
        const result = succeeded(id);
        await first.run(result);
        expect(first.reads.batch).toHaveBeenCalledTimes(1);
        expect(first.reads.streams).toHaveBeenCalledTimes(1);
        expect(await eventTypes(id)).toEqual([
          [1, 'ServiceCallSubmitted'],
          [2, 'ServiceCallScheduled'],
          [3, 'ExecutionRequested'],
          [4, 'ServiceCallSucceeded'],
        ]);
        expect(await inboxCount([result.messageId])).toBe(1);
        await expectConsistent(id);
      });

      it('absorbs a message processed before: the append refuses it, and the batch is read and decided again', async () => {
        const { reads, run: decide } = handlerWithCountedReads();
        const [id, other] = [randomUUID(), randomUUID()];
        const submitted = submit(id, inAnHour());
        await decide(submitted);
        const once = await written(id);
        const readAgain = await batchesRead('again');

        const cancelled = cancel(other);
        await decide(submit(other, inAnHour()));
        await decide(submitted, cancelled, submitted);
        expect(await batchesRead('again')).toBe(readAgain + 1);
        expect(reads.batch).toHaveBeenCalledTimes(2);
        expect(await written(id)).toEqual(once);
        expect(await eventTypes(other)).toEqual([
          [1, 'ServiceCallSubmitted'],
          [2, 'ServiceCallScheduled'],
          [3, 'ServiceCallCancelled'],
        ]);
        expect(await inboxCount([submitted.messageId, cancelled.messageId])).toBe(2);
        await expectConsistent(other);
      });
    });
  });
});
