import { randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource } from 'typeorm';
import {
  CancelServiceCall,
  DueTimeReached,
  ServiceCallEvent,
  ServiceCallEventMessage,
  SubmitServiceCall,
  TOPICS,
} from '@app/common/contracts';
import { createDataSource } from '@app/common/database';
import { appendToOutbox } from '@app/common/outbox';
import { createTestDatabase } from '../../../test/support/test-database';
import { migrateAll } from '../../../tools/migrate-all';
import { eventMessages } from '../src/commands/outgoing-messages';
import { ProcessSchedulerCommand } from '../src/commands/process-scheduler-command.command';
import { ProcessSchedulerCommandHandler } from '../src/commands/process-scheduler-command.handler';
import { ConcurrencyConflictError } from '../src/event-store/concurrency-conflict.error';
import { PostgresEventStore } from '../src/event-store/postgres-event-store';
import { SCHEDULER_CORE_SCHEMA as S } from '../src/scheduler-core.schema';
import { backendPid, OpenTransactions, untilWaitingOnLock } from '../../../test/support/postgres-sessions';

const TENANT = 'tenant-a';
const silent = pino({ level: 'silent' }) as unknown as PinoLogger;
const target = { method: 'POST', url: 'https://example.com/hook', headers: { 'content-type': 'application/json' } } as const;
const sealedTarget = { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' };

function submittedEvent(serviceCallId: string, dueAt: string | null = null): ServiceCallEvent {
  return {
    type: 'ServiceCallSubmitted',
    data: { serviceCallId, tenantId: TENANT, target, sealedTarget, dueAt, tags: ['it'], timeoutMs: 1_000, submittedAt: new Date().toISOString() },
  };
}

const requestedEvent = (attempt = 1): ServiceCallEvent => ({ type: 'ExecutionRequested', data: { attempt, requestedAt: new Date().toISOString() } });

function messagesAt(serviceCallId: string, fromVersion: number, events: ServiceCallEvent[], tenantId = TENANT): ServiceCallEventMessage[] {
  return eventMessages({ tenantId, serviceCallId }, events, fromVersion, { messageId: randomUUID(), correlationId: randomUUID() }, new Date());
}

function command<T extends SubmitServiceCall | CancelServiceCall | DueTimeReached>(type: T['type'], serviceCallId: string, payload: T['payload']): T {
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
    serviceCallId, target, sealedTarget, dueAt, tags: ['it'], timeoutMs: 1_000, submittedAt: new Date().toISOString(),
  });

describe('PostgresEventStore and ProcessSchedulerCommandHandler (real Postgres)', () => {
  let dataSource: DataSource;
  const store = new PostgresEventStore();
  const transactions = new OpenTransactions(() => dataSource);

  beforeAll(async () => {
    const url = await createTestDatabase('event-store');
    await migrateAll(url);
    dataSource = await createDataSource({ url, schema: S, migrations: [], applicationName: 'event-store-it', poolSize: 12 }).initialize();
  });

  afterEach(() => transactions.closeAll());

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const openTransaction = () => transactions.open();

  const storedVersions = async (serviceCallId: string, tenantId = TENANT): Promise<number[]> =>
    (await dataSource.query(`SELECT version FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY version`, [tenantId, serviceCallId])).map(
      (r: { version: number }) => r.version,
    );

  describe('appendToStream', () => {
    it('appends at the expected version and reads the stream back in order', async () => {
      const id = randomUUID();
      await dataSource.transaction((m) => store.appendToStream(m, 0, messagesAt(id, 0, [submittedEvent(id), requestedEvent()])));
      await dataSource.transaction((m) => store.appendToStream(m, 2, messagesAt(id, 2, [{ type: 'ServiceCallCancelled', data: { cancelledAt: new Date().toISOString() } }])));
      const stream = await store.readStream(dataSource.manager, TENANT, id);
      expect(stream.version).toBe(3);
      expect(stream.events.map((e) => e.type)).toEqual(['ServiceCallSubmitted', 'ExecutionRequested', 'ServiceCallCancelled']);
      // The stream key includes the tenant: the same id elsewhere is another stream.
      expect((await store.readStream(dataSource.manager, 'tenant-b', id)).version).toBe(0);
      await dataSource.transaction((m) => store.appendToStream(m, 0, messagesAt(id, 0, [submittedEvent(id)], 'tenant-b')));
      expect(await storedVersions(id, 'tenant-b')).toEqual([1]);
    });

    it('rejects a stale expectedVersion with ConcurrencyConflictError and writes nothing of that transaction', async () => {
      const id = randomUUID();
      await dataSource.transaction((m) => store.appendToStream(m, 0, messagesAt(id, 0, [submittedEvent(id), requestedEvent()])));
      const stale = messagesAt(id, 1, [requestedEvent(2)]);
      const attempt = dataSource.transaction(async (m) => {
        await appendToOutbox(m, S, stale.map((envelope) => ({ topic: TOPICS.events, envelope })));
        await store.appendToStream(m, 1, stale);
      });
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyConflictError);
      await expect(attempt).rejects.toMatchObject({ streamId: id, expectedVersion: 1 });
      expect(await storedVersions(id)).toEqual([1, 2]);
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM "${S}".outbox WHERE message_id = $1`, [stale[0].messageId]);
      expect(count).toBe(0);
      expect((await store.readStream(dataSource.manager, TENANT, id)).events.map((e) => e.type)).toEqual(['ServiceCallSubmitted', 'ExecutionRequested']);
    });

    it('rejects an expectedVersion ahead of the stream, which would leave a gap', async () => {
      const id = randomUUID();
      await dataSource.transaction((m) => store.appendToStream(m, 0, messagesAt(id, 0, [submittedEvent(id)])));
      const ahead = dataSource.transaction((m) => store.appendToStream(m, 3, messagesAt(id, 3, [requestedEvent()])));
      await expect(ahead).rejects.toBeInstanceOf(ConcurrencyConflictError);
      expect(await storedVersions(id)).toEqual([1]);
    });

    it('lets exactly one of two open transactions append at the same expectedVersion; the other waits, then conflicts', async () => {
      const id = randomUUID();
      const first = await openTransaction();
      const second = await openTransaction();
      const secondPid = await backendPid(second);
      const mine = messagesAt(id, 0, [submittedEvent(id)]);
      const theirs = messagesAt(id, 0, [submittedEvent(id)]);
      await store.appendToStream(first.manager, 0, mine);
      const secondAppend = store.appendToStream(second.manager, 0, theirs).then(
        () => 'appended',
        (error) => error,
      );
      await untilWaitingOnLock(dataSource, secondPid);
      await first.commitTransaction();
      expect(await secondAppend).toBeInstanceOf(ConcurrencyConflictError);
      const [row] = await dataSource.query(`SELECT event_id FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2`, [TENANT, id]);
      expect(row.event_id).toBe(mine[0].messageId);
    });

    it('gives exactly one success among many concurrent appends at the same expectedVersion', async () => {
      const id = randomUUID();
      await dataSource.transaction((m) => store.appendToStream(m, 0, messagesAt(id, 0, [submittedEvent(id)])));
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () =>
          dataSource.transaction((m) => store.appendToStream(m, 1, messagesAt(id, 1, [requestedEvent()]))).then(
            () => 'appended',
            (error) => (error instanceof ConcurrencyConflictError ? 'conflict' : error),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'appended')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(7);
      expect(await storedVersions(id)).toEqual([1, 2]);
    });
  });

  describe('ProcessSchedulerCommandHandler', () => {
    let handler: ProcessSchedulerCommandHandler;

    beforeAll(() => {
      handler = new ProcessSchedulerCommandHandler(dataSource, store, silent);
    });

    async function written(serviceCallId: string) {
      const events = await dataSource.query(
        `SELECT version, type, event_id FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY version`,
        [TENANT, serviceCallId],
      );
      const outbox = await dataSource.query(
        `SELECT id, topic, message_id, envelope->>'type' AS type FROM "${S}".outbox WHERE message_key = $1 ORDER BY id`,
        [serviceCallId],
      );
      const timers = await dataSource.query(`SELECT due_at FROM "${S}".timers WHERE tenant_id = $1 AND service_call_id = $2`, [TENANT, serviceCallId]);
      return { events, outbox, timers };
    }

    it('turns a SubmitServiceCall into its events and one ExecuteServiceCall, and ignores the same command delivered again', async () => {
      const id = randomUUID();
      const message = submit(id);
      await handler.execute(new ProcessSchedulerCommand(message));
      const once = await written(id);
      expect(once.events.map((e: { version: number; type: string }) => [e.version, e.type])).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ExecutionRequested'],
      ]);
      expect(once.outbox.map((o: { topic: string; type: string }) => [o.topic, o.type])).toEqual([
        [TOPICS.events, 'ServiceCallSubmitted'],
        [TOPICS.events, 'ExecutionRequested'],
        [TOPICS.executions, 'ExecuteServiceCall'],
      ]);
      // Events go out under their own ids, so consumers can dedupe a republished event.
      expect(once.outbox.slice(0, 2).map((o: { message_id: string }) => o.message_id)).toEqual(once.events.map((e: { event_id: string }) => e.event_id));

      await handler.execute(new ProcessSchedulerCommand(message));
      expect(await written(id)).toEqual(once);
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM "${S}".inbox WHERE message_id = $1`, [message.messageId]);
      expect(count).toBe(1);
    });

    it('applies a command delivered twice at the same time only once', async () => {
      const id = randomUUID();
      const message = submit(id);
      await Promise.all([handler.execute(new ProcessSchedulerCommand(message)), handler.execute(new ProcessSchedulerCommand(message))]);
      const { events, outbox } = await written(id);
      expect(events.map((e: { version: number }) => e.version)).toEqual([1, 2]);
      expect(outbox).toHaveLength(3);
    });

    it('retries a command that lost a version race, deciding again against the stream that won', async () => {
      const id = randomUUID();
      await handler.execute(new ProcessSchedulerCommand(submit(id, new Date(Date.now() + 3_600_000).toISOString())));
      expect((await written(id)).timers).toHaveLength(1);

      // Another writer appends version 3 and has not committed yet when DueTimeReached is decided against version 2.
      const rival = await openTransaction();
      const cancelled = messagesAt(id, 2, [{ type: 'ServiceCallCancelled', data: { cancelledAt: new Date().toISOString() } }]);
      await store.appendToStream(rival.manager, 2, cancelled);
      const due = command<DueTimeReached>('DueTimeReached', id, { serviceCallId: id, dueAt: new Date().toISOString(), firedAt: new Date().toISOString() });
      const handled = handler.execute(new ProcessSchedulerCommand(due));
      await waitForEventInsertWaiter();
      await rival.commitTransaction();
      await handled;

      const { events, outbox } = await written(id);
      expect(events.map((e: { version: number; type: string }) => [e.version, e.type])).toEqual([
        [1, 'ServiceCallSubmitted'],
        [2, 'ServiceCallScheduled'],
        [3, 'ServiceCallCancelled'],
      ]);
      // Decided again against "Cancelled": the timer firing changes nothing and nothing is executed.
      expect(outbox.map((o: { type: string }) => o.type)).toEqual(['ServiceCallSubmitted', 'ServiceCallScheduled']);
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM "${S}".inbox WHERE message_id = $1`, [due.messageId]);
      expect(count).toBe(1);
    });

    /** Resolves once the handler's append waits on the rival's uncommitted version 3. */
    async function waitForEventInsertWaiter(): Promise<void> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const rows: { pid: number }[] = await dataSource.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "${S}".events%'`,
        );
        if (rows.length > 0) return;
        if (Date.now() > deadline) throw new Error('the command never waited on the rival append');
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  });
});
