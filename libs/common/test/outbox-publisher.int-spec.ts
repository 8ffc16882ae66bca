import { randomUUID } from 'node:crypto';
import { Consumer, Kafka } from '@app/common/messaging/kafkajs';
import { Client, ClientConfig } from 'pg';
import pino from 'pino';
import { DataSource, QueryRunner } from 'typeorm';
import { Envelope } from '@app/common/contracts';
import { createDataSource, returnedRows } from '@app/common/database';
import { createKafka, ensureTopics, headerText } from '@app/common/messaging';
import {
  addOutboxSetAsideSql,
  addOutboxTraceparentSql,
  appendToOutbox,
  CommittedOutboxRow,
  createOutboxTableSql,
  OutboxMessage,
  OutboxPublisher,
  OutboxPublisherOptions,
  OUTBOX_PUBLISHER_SESSION_OPTIONS,
  outboxPublisherSession,
  outboxCandidatesSql,
  outboxChannel,
  outboxCommitted,
  outboxFirstRowsCommitted,
  outboxInsert,
  outboxRow,
  signalOutboxCommits,
} from '@app/common/outbox';
import { outboxPolls, outboxPublished } from '@app/common/observability';
import { traceContexts } from '@app/common/tracing';
import { createTestDatabase, testBrokers } from '../../../test/support/test-database';
import { eventually } from '../../../test/support/eventually';
import { API, BROKER_ERROR, KafkaFaultProxy } from '../../../test/support/kafka-fault-proxy';

const log = pino({ level: process.env.SCS_TEST_VERBOSE ? 'debug' : 'silent' });

interface Probe {
  readonly seq: number;
  readonly rolledBack: boolean;
  /** Filler that makes a row as large as a test needs. */
  readonly pad?: string;
}

interface Received {
  readonly key: string;
  readonly messageId: string;
  readonly value: string;
  readonly seq: number;
  readonly traceparent?: string;
}

/** A deterministic generator, so a failing interleaving of keys and sizes can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function probeMessage(topic: string, key: string, probe: Probe): OutboxMessage {
  const envelope: Envelope<'OutboxProbe', Probe> = {
    messageId: randomUUID(),
    tenantId: 'tenant-it',
    aggregateType: 'ServiceCall',
    aggregateId: key,
    type: 'OutboxProbe',
    schemaVersion: 1,
    timestamp: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    payload: probe,
  };
  return { topic, envelope };
}

describe('OutboxPublisher (real Postgres and Kafka)', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let kafka: Kafka;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('outbox-publisher');
    dataSource = await createDataSource({
      url: databaseUrl,
      schema: 'public',
      migrations: [],
      applicationName: 'outbox-it',
      poolSize: 16,
    }).initialize();
    // As in the apps: a commit that wrote outbox rows wakes this process's publisher.
    signalOutboxCommits(dataSource);
    kafka = createKafka('outbox-it', testBrokers().split(','), log);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  /** A schema with an outbox and per-key counters; each test gets its own, and so its own publisher lock. */
  async function createOutbox(): Promise<string> {
    const schema = `ob_${randomUUID().slice(0, 8)}`;
    await dataSource.query(`CREATE SCHEMA "${schema}"`);
    for (const sql of [...createOutboxTableSql(schema), ...addOutboxSetAsideSql(schema), addOutboxTraceparentSql(schema)])
      await dataSource.query(sql);
    await dataSource.query(`CREATE TABLE "${schema}".key_seq (key text PRIMARY KEY, n integer NOT NULL DEFAULT 0)`);
    return schema;
  }

  async function createTopic(): Promise<string> {
    const topic = `it-outbox-${randomUUID()}`;
    await ensureTopics(kafka, [topic], 3);
    return topic;
  }

  async function startPublisher(schema: string, options: Partial<OutboxPublisherOptions> = {}): Promise<OutboxPublisher> {
    const publisher = new OutboxPublisher({
      databaseUrl,
      schema,
      brokers: testBrokers().split(','),
      clientId: 'outbox-it',
      log,
      ...options,
    });
    await publisher.start();
    cleanups.push(() => publisher.stop());
    return publisher;
  }

  async function readTopic(topic: string): Promise<Received[]> {
    const received: Received[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: `it-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value!.toString();
        const envelope = JSON.parse(value) as Envelope<'OutboxProbe', Probe>;
        received.push({
          key: message.key!.toString(),
          messageId: headerText(message.headers, 'messageId')!,
          value,
          seq: envelope.payload.seq,
          traceparent: headerText(message.headers, 'traceparent'),
        });
      },
    });
    cleanups.push(() => consumer.disconnect());
    return received;
  }

  /** Appends `count` rows for one key in one transaction, numbering them from the key's counter (whose row lock orders writers of a key). */
  async function appendRows(
    schema: string,
    topic: string,
    key: string,
    count: number,
    rollback = false,
    pad?: (seq: number) => string | undefined,
  ): Promise<OutboxMessage[]> {
    let messages: OutboxMessage[] = [];
    await dataSource
      .transaction(async (manager) => {
        const [{ n }] = returnedRows<{ n: number }>(
          await manager.query(`UPDATE "${schema}".key_seq SET n = n + $2 WHERE key = $1 RETURNING n`, [key, count]),
        );
        messages = Array.from({ length: count }, (_, i) => {
          const seq = n - count + i + 1;
          return probeMessage(topic, key, { seq, rolledBack: rollback, pad: pad?.(seq) });
        });
        await appendToOutbox(manager, schema, messages);
        if (rollback) throw new RolledBack();
      })
      .catch((error) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    return messages;
  }

  /** A transaction left open with its xid taken, so the order of xids is the order of these calls. */
  async function openTransaction(): Promise<QueryRunner> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    cleanups.push(async () => {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    });
    await runner.startTransaction();
    await runner.query(`SELECT pg_current_xact_id()`);
    return runner;
  }

  async function publishedCount(schema: string): Promise<{ pending: number }> {
    const [row] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS pending FROM "${schema}".outbox`,
    );
    return row;
  }

  async function outboxSize(schema: string): Promise<number> {
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    return n;
  }

  /** Polls of this outbox so far, whatever they found. */
  async function pollsOf(schema: string): Promise<number> {
    return (await outboxPolls.get()).values.filter((v) => v.labels.outbox === schema).reduce((sum, v) => sum + v.value, 0);
  }

  /**
   * Commits `count` rows, each the first of a new key (as the gateway's submissions are), without
   * waking any publisher; returns them as their writer would hand them over.
   */
  async function commitFirstRows(schema: string, topic: string, count: number): Promise<CommittedOutboxRow[]> {
    const messages = Array.from({ length: count }, () => probeMessage(topic, randomUUID(), { seq: 1, rolledBack: false }));
    const ids = returnedRows<{ id: string; message_id: string }>(
      await dataSource.query(
        `${outboxInsert(schema)}
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(topic text, message_key text, message_id uuid, envelope jsonb, traceparent text)
         RETURNING id, message_id`,
        [JSON.stringify(messages.map(outboxRow))],
      ),
    );
    const idOf = new Map(ids.map((r) => [r.message_id, r.id]));
    return messages.map((m) => ({ id: idOf.get(m.envelope.messageId)!, topic, envelope: m.envelope, traceparent: null }));
  }

  /**
   * Counts statements started on a publisher session of `schema` while another was still out on it
   * (pg queues them, and warns that pg 9 will not); every call goes through unchanged.
   */
  function statementsQueuedOnPublisherSessions(schema: string): () => number {
    const query = Client.prototype.query;
    const out = new Map<Client, number>();
    let queued = 0;
    function observed(this: Client, ...args: unknown[]): unknown {
      const result: unknown = (query as (...a: unknown[]) => unknown).apply(this, args);
      const { application_name } = (this as unknown as { connectionParameters: ClientConfig }).connectionParameters;
      if (application_name !== `outbox-publisher:${schema}` || !(result instanceof Promise)) return result;
      if ((out.get(this) ?? 0) > 0) queued += 1;
      out.set(this, (out.get(this) ?? 0) + 1);
      const done = () => out.set(this, out.get(this)! - 1);
      result.then(done, done);
      return result;
    }
    Client.prototype.query = observed as typeof query;
    cleanups.push(async () => (Client.prototype.query = query));
    return () => queued;
  }

  async function topicSize(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('publishes every committed row once, in per-key order, holding back rows behind a late-committing transaction and never a rolled-back one', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'late'];
    for (const key of keys) await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ($1)`, [key]);
    const received = await readTopic(topic);
    await startPublisher(schema);

    const committed: OutboxMessage[] = [];
    const rolledBack: OutboxMessage[] = [];
    let transactions = 0;
    let inFlight = 0;
    let paused: Promise<void> | undefined;
    let resume = () => undefined as void;
    const writer = async (id: number) => {
      const random = seeded(id + 1);
      for (let i = 0; i < 50; i += 1) {
        while (paused) await paused;
        const key = keys[Math.floor(random() * keys.length)];
        const count = 1 + Math.floor(random() * 3);
        const rollback = random() < 0.1;
        inFlight += 1;
        const messages = await appendRows(schema, topic, key, count, rollback).finally(() => (inFlight -= 1));
        (rollback ? rolledBack : committed).push(...messages);
        transactions += 1;
      }
    };
    const writers = Array.from({ length: 8 }, (_, id) => writer(id));

    // Midway, with no writer inside a transaction, open the late transaction: its row for `late` gets
    // the next sequence number and an id below every later row of that key, and it commits last.
    await eventually('a third of the transactions', () => transactions >= 130);
    paused = new Promise<void>((r) => (resume = r));
    await eventually('writers to leave their transactions', () => inFlight === 0);
    const committedBeforeLate = committed.length;
    const [{ n: lateSeq }] = returnedRows<{ n: number }>(
      await dataSource.query(`UPDATE "${schema}".key_seq SET n = n + 1 WHERE key = 'late' RETURNING n`),
    );
    const late: QueryRunner = dataSource.createQueryRunner();
    await late.connect();
    cleanups.push(async () => {
      if (late.isTransactionActive) await late.rollbackTransaction();
      await late.release();
    });
    await late.startTransaction();
    const lateMessage = probeMessage(topic, 'late', { seq: lateSeq, rolledBack: false });
    await appendToOutbox(late.manager, schema, [lateMessage]);
    paused = undefined;
    resume();
    await Promise.all(writers);

    const laterForLateKey = committed.filter(
      (m) => m.envelope.aggregateId === 'late' && (m.envelope.payload as Probe).seq > lateSeq,
    );
    expect(laterForLateKey.length).toBeGreaterThan(0);
    // Rows committed before the late transaction began still flow while it is open...
    await eventually('rows committed before the late transaction', () => received.length >= committedBeforeLate);
    // ...but nothing written after it goes out until it commits (several polls' worth of chances).
    await new Promise((r) => setTimeout(r, 1_000));
    // Published rows are deleted: every row committed after the late transaction began must still be there.
    const afterLate = committed.slice(committedBeforeLate).map((m) => m.envelope.messageId);
    expect(afterLate.length).toBeGreaterThan(0);
    const [{ waiting }] = await dataSource.query(
      `SELECT count(*)::int AS waiting FROM "${schema}".outbox WHERE published_at IS NULL AND message_id = ANY($1::uuid[])`,
      [afterLate],
    );
    expect(waiting).toBe(afterLate.length);
    expect(received.filter((r) => r.key === 'late' && r.seq >= lateSeq)).toEqual([]);
    await late.commitTransaction();
    committed.push(lateMessage);

    await eventually('every committed row on the topic', () => received.length >= committed.length);
    await eventually('every row marked published', async () => (await publishedCount(schema)).pending === 0);
    expect(received).toHaveLength(committed.length);
    expect(await topicSize(topic)).toBe(committed.length);
    expect(new Set(received.map((r) => r.messageId))).toEqual(new Set(committed.map((m) => m.envelope.messageId)));
    const rolledBackIds = new Set(rolledBack.map((m) => m.envelope.messageId));
    expect(rolledBack.length).toBeGreaterThan(0);
    expect(received.filter((r) => rolledBackIds.has(r.messageId))).toEqual([]);
    const counters: { key: string; n: number }[] = await dataSource.query(`SELECT key, n FROM "${schema}".key_seq`);
    for (const { key, n } of counters) {
      // Sequence numbers were taken in commit order per key; 1..n exactly, in order, means nothing lost, duplicated or reordered.
      const seqs = received.filter((r) => r.key === key).map((r) => r.seq);
      expect({ key, seqs }).toEqual({ key, seqs: Array.from({ length: n }, (_, i) => i + 1) });
    }
  });

  it('does not let a row of an older transaction overtake a committed row of the same key written before it', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    const received = await readTopic(topic);
    await startPublisher(schema);
    // xids in the order older < blocker < earlier; rows written (and committed) earlier first, then older.
    const older = await openTransaction();
    const blocker = await openTransaction();
    const earlier = await openTransaction();
    await appendToOutbox(earlier.manager, schema, [probeMessage(topic, 'k', { seq: 1, rolledBack: false })]);
    await earlier.commitTransaction();
    await appendToOutbox(older.manager, schema, [probeMessage(topic, 'k', { seq: 2, rolledBack: false })]);
    await older.commitTransaction();

    // While the blocker is open, the row of `earlier` is held back, so the row of `older` must wait behind it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(received).toEqual([]);
    await blocker.commitTransaction();
    await eventually('both rows', () => received.length >= 2);
    expect(received.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('polls once per commit it is woken by (a drain that emptied its window is not followed by an empty poll) and deletes what it sent without waiting for the backstop poll', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a')`);
    const received = await readTopic(topic);
    // No backstop poll during the test: only commits wake the publisher.
    const publisher = await startPublisher(schema, { pollIntervalMs: 60_000 });
    await eventually('the publisher to lead', () => publisher.isLeader);
    const polls = async (outcome: string) =>
      (await outboxPolls.get()).values.find((v) => v.labels.outbox === schema && v.labels.outcome === outcome)?.value ?? 0;
    await new Promise((r) => setTimeout(r, 300));
    const emptyBefore = await polls('empty');

    for (let i = 0; i < 5; i += 1) {
      await appendRows(schema, topic, 'a', 3);
      await eventually('the commit published', () => received.length >= 3 * (i + 1));
      await eventually('the rows deleted', async () => (await publishedCount(schema)).pending === 0);
    }
    await new Promise((r) => setTimeout(r, 300));

    expect(received.map((r) => r.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(await polls('rows')).toBeGreaterThanOrEqual(5);
    expect((await polls('empty')) - emptyBefore).toBe(0);
  });

  it('lets one of two publishers on the same outbox lead, publishes nothing twice, and fails over when the leader stops', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a'), ('b')`);
    const received = await readTopic(topic);
    const first = await startPublisher(schema);
    await eventually('the first publisher to lead', () => first.isLeader);
    const second = await startPublisher(schema);

    const written: OutboxMessage[] = [];
    for (let i = 0; i < 40; i += 1) written.push(...(await appendRows(schema, topic, i % 2 ? 'a' : 'b', 2)));
    await eventually('the first batch on the topic', () => received.length >= written.length);
    await eventually('the first batch marked published', async () => (await publishedCount(schema)).pending === 0);
    expect([first.isLeader, second.isLeader]).toEqual([true, false]);
    expect(await topicSize(topic)).toBe(written.length);
    expect(new Set(received.map((r) => r.messageId)).size).toBe(written.length);

    await first.stop();
    await eventually('the standby to take over', () => second.isLeader);
    for (let i = 0; i < 10; i += 1) written.push(...(await appendRows(schema, topic, i % 2 ? 'a' : 'b', 1)));
    await eventually('the second batch on the topic', () => received.length >= written.length);
    await eventually('the second batch marked published', async () => (await publishedCount(schema)).pending === 0);
    expect(await topicSize(topic)).toBe(written.length);
    expect(received.map((r) => r.messageId).sort()).toEqual(written.map((m) => m.envelope.messageId).sort());
  });

  it("has a standby tell the leader of a burst of its process's commits with one NOTIFY from its loop, never a statement queued behind another on its session", async () => {
    const schema = await createOutbox();
    const first = await startPublisher(schema, { pollIntervalMs: 60_000 });
    await eventually('the first publisher to lead', () => first.isLeader);
    const second = await startPublisher(schema, { pollIntervalMs: 60_000 });
    // Listening as the leader's session does.
    const listener = new Client({ connectionString: databaseUrl });
    await listener.connect();
    cleanups.push(() => listener.end());
    let notified = 0;
    listener.on('notification', () => (notified += 1));
    await listener.query(`LISTEN "${outboxChannel(schema)}"`);
    const queued = statementsQueuedOnPublisherSessions(schema);

    // The leader wakes in-process; the standby owes the leader a NOTIFY.
    for (let i = 0; i < 20; i += 1) outboxCommitted(schema);
    await eventually('the standby to notify', () => notified > 0);
    await new Promise((r) => setTimeout(r, 300));

    expect([first.isLeader, second.isLeader]).toEqual([true, false]);
    expect(notified).toBeLessThanOrEqual(2);
    expect(queued()).toBe(0);
  });

  it('republishes rows whose mark-published was lost in a crash, with the same messageId and content', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a')`);
    const received = await readTopic(topic);
    const written = await appendRows(schema, topic, 'a', 10);
    const lost = written.slice(6).map((m) => m.envelope.messageId);
    await dataSource.query(
      `CREATE TABLE "${schema}".lost_rows AS SELECT * FROM "${schema}".outbox WHERE message_id = ANY($1::uuid[])`,
      [lost],
    );
    const publisher = await startPublisher(schema);
    await eventually('the rows on the topic', () => received.length >= 10);
    await eventually('the rows published', async () => (await publishedCount(schema)).pending === 0);
    await publisher.stop();

    // As if the publisher died after the broker acknowledged and before its DELETE committed: the rows are back.
    await dataSource.query(`INSERT INTO "${schema}".outbox SELECT * FROM "${schema}".lost_rows`);
    await startPublisher(schema);
    await eventually('the republished rows', () => received.length >= 14);
    await eventually('the rows marked published again', async () => (await publishedCount(schema)).pending === 0);

    expect(received).toHaveLength(14);
    const again = received.slice(10);
    expect(again.map((r) => r.messageId)).toEqual(lost);
    for (const copy of again) expect(copy.value).toBe(received.find((r) => r.messageId === copy.messageId)!.value);
    // Deduplicated by messageId, the key's stream is intact and in order.
    const firstSeen = [...new Map(received.map((r) => [r.messageId, r.seq])).values()];
    expect(firstSeen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("commits its deletes without waiting for the WAL flush, in its own session only: a lost delete republishes, as the test above shows, while the writers' commits stay durable", async () => {
    const schema = await createOutbox();
    const session = new Client(outboxPublisherSession({ databaseUrl, schema }));
    await session.connect();
    try {
      const [{ synchronous_commit: publisher }] = (await session.query('SHOW synchronous_commit')).rows;
      expect(publisher).toBe('off');
    } finally {
      await session.end();
    }
    // The apps' own sessions keep the server's setting (on unless an operator turned it off).
    const [writer] = await dataSource.query(`SELECT source FROM pg_settings WHERE name = 'synchronous_commit'`);
    expect(writer.source).not.toBe('client');
  });

  it('keeps publishing after its database connection is dropped', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a')`);
    const received = await readTopic(topic);
    const publisher = await startPublisher(schema);
    await appendRows(schema, topic, 'a', 3);
    await eventually('the first rows on the topic', () => received.length >= 3);

    const [{ terminated }] = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [`outbox-publisher:${schema}`],
    );
    expect(terminated).toBe(1);
    await appendRows(schema, topic, 'a', 3);
    await eventually('rows written after the connection dropped', () => received.length >= 6);
    await eventually('those rows marked published', async () => (await publishedCount(schema)).pending === 0);
    expect(received.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(publisher.isLeader).toBe(true);
  });
  it('keeps per-key order when concurrent transactions draw interleaved ids and the one with the lower ids commits last', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    const received = await readTopic(topic);
    await startPublisher(schema);
    // `first` gets its xid first, so its rows are not held back behind `second`, which stays open.
    const first = await openTransaction();
    const second = await openTransaction();
    await appendToOutbox(second.manager, schema, [probeMessage(topic, 'k', { seq: 1, rolledBack: false })]);
    await appendToOutbox(first.manager, schema, [probeMessage(topic, 'other', { seq: 1, rolledBack: false })]);
    await first.commitTransaction();
    await eventually('the row of the first transaction', () => received.length >= 1);
    // The key's second row has an id above the row already sent, its first row one below it.
    await appendToOutbox(second.manager, schema, [probeMessage(topic, 'k', { seq: 2, rolledBack: false })]);
    await second.commitTransaction();
    await eventually('every row', () => received.length >= 3);
    expect(received.filter((r) => r.key === 'k').map((r) => r.seq)).toEqual([1, 2]);
  });

  it('walks the id index, so rows already published and deleted (dead until a vacuum) cost a poll little', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    const received = await readTopic(topic);
    const messages = Array.from({ length: 5_000 }, (_, i) =>
      probeMessage(topic, `k${i % 50}`, { seq: i, rolledBack: false }),
    );
    await dataSource.transaction((manager) => appendToOutbox(manager, schema, messages));
    const publisher = await startPublisher(schema);
    await eventually('the backlog on the topic', () => received.length >= messages.length, 60_000);
    await publisher.stop();
    const live = Array.from({ length: 20 }, (_, i) => probeMessage(topic, 'live', { seq: i, rolledBack: false }));
    await dataSource.transaction((manager) => appendToOutbox(manager, schema, live));

    // 5,000 dead tuples (no vacuum has run) before 20 live rows, planned as the publisher's session plans it.
    const runner = dataSource.createQueryRunner();
    try {
      for (const setting of OUTBOX_PUBLISHER_SESSION_OPTIONS.split(' -c ').map((o) => o.replace(/^-c /, '')))
        await runner.query(`SET ${setting.replace('=', ' = ')}`);
      // The first walk after a delete visits the deleted rows once and marks their index entries dead
      // (as the publisher's next poll does); what is measured is every poll after that.
      const poll = outboxCandidatesSql(schema).replace('$1', '2000').replaceAll('$2', `'{}'`);
      await runner.query(poll);
      const [{ 'QUERY PLAN': plan }] = await runner.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${poll}`);
      const root = (plan as Array<{ Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }>)[0].Plan;
      const [{ pages }] = await runner.query(`SELECT pg_relation_size('"${schema}".outbox') / 8192 AS pages`);
      expect(Number(pages)).toBeGreaterThan(100);
      expect(root['Shared Hit Blocks'] + root['Shared Read Blocks']).toBeLessThan(60);
    } finally {
      await runner.release();
    }
  });

  /** A publisher whose broker connections go through a proxy that sees every produce request. */
  async function startProxiedPublisher(
    schema: string,
    options: Partial<OutboxPublisherOptions> = {},
  ): Promise<KafkaFaultProxy> {
    const proxy = await KafkaFaultProxy.start(testBrokers());
    cleanups.push(() => proxy.stop());
    await startPublisher(schema, { brokers: [proxy.address], clientId: 'outbox-it-proxied', ...options });
    return proxy;
  }

  it('cuts a backlog larger than maxRequestBytes into several produce requests, each within the bound, keeping per-key order', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    const keys = ['a', 'b', 'c'];
    for (const key of keys) await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ($1)`, [key]);
    const written: OutboxMessage[] = [];
    // About 600 bytes a row, 90 rows: some 54 kB against a bound of 4 kB.
    for (let i = 0; i < 30; i += 1)
      for (const key of keys) written.push(...(await appendRows(schema, topic, key, 1, false, () => 'x'.repeat(300))));
    const received = await readTopic(topic);
    const maxRequestBytes = 4_000;
    const proxy = await startProxiedPublisher(schema, { maxRequestBytes });

    await eventually('every row on the topic', () => received.length >= written.length);
    await eventually('every row marked published', async () => (await publishedCount(schema)).pending === 0);
    expect(received).toHaveLength(written.length);
    const requests = proxy.requestSizes(API.produce);
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil((written.length * 600) / maxRequestBytes));
    // The whole request on the wire, keys, headers and framing included.
    expect(Math.max(...requests)).toBeLessThanOrEqual(maxRequestBytes);
    for (const key of keys) {
      expect({ key, seqs: received.filter((r) => r.key === key).map((r) => r.seq) }).toEqual({
        key,
        seqs: Array.from({ length: 30 }, (_, i) => i + 1),
      });
    }
  });

  // cutByBytes (produce-batches.ts) is fed octet_length(envelope::text) alone (outbox-publisher.ts,
  // drainOnce), but a record also carries its key and the eight routing headers (~300 bytes) plus
  // record overhead. With the default bound of 900 000 bytes and ~1 kB envelopes, one partition's
  // record batch comes to ~1.2 MB, over the broker's ~1 MB message.max.bytes: the broker refuses the
  // request and the publisher falls back to producing those rows one request each.
  it("keeps each produce request under the broker's limit with the default bound, headers included, so no request is refused", async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a')`);
    const written = await appendRows(schema, topic, 'a', 1_000, false, () => 'x'.repeat(650));
    const received = await readTopic(topic);
    const proxy = await startProxiedPublisher(schema);
    await eventually('every row on the topic', () => received.length >= written.length, 60_000);
    expect(received.map((r) => r.seq)).toEqual(written.map((_, i) => i + 1));
    // 1 000 rows of ~1 kB in requests of at most 900 kB: two requests, three at most.
    expect(proxy.requestSizes(API.produce).length).toBeLessThanOrEqual(3);
  }, 90_000);

  it('sets aside a row larger than the broker accepts, with its error, and publishes the rows behind it', async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a'), ('b')`);
    const received = await readTopic(topic);
    // The broker's default message.max.bytes is about 1 MB; seq 2 of key `a` is about 1.2 MB.
    const huge = (seq: number) => (seq === 2 ? 'x'.repeat(1_200_000) : undefined);
    const rowsOfA = await appendRows(schema, topic, 'a', 4, false, huge);
    await appendRows(schema, topic, 'b', 2);
    await startPublisher(schema);

    await eventually('the rows around the huge one on the topic', () => received.length >= 5, 30_000);
    await eventually("every row out of the publisher's way", async () => (await publishedCount(schema)).pending === 0);
    expect(received.filter((r) => r.key === 'a').map((r) => r.seq)).toEqual([1, 3, 4]);
    expect(received.filter((r) => r.key === 'b').map((r) => r.seq)).toEqual([1, 2]);
    expect(await topicSize(topic)).toBe(5);

    const rows: { message_id: string; published: boolean; set_aside: boolean; set_aside_error: string | null }[] =
      await dataSource.query(
        `SELECT message_id, published_at IS NOT NULL AS published, set_aside_at IS NOT NULL AS set_aside, set_aside_error FROM "${schema}".outbox ORDER BY id`,
      );
    const hugeId = rowsOfA[1].envelope.messageId;
    const setAside = rows.filter((r) => r.set_aside);
    expect(setAside.map((r) => r.message_id)).toEqual([hugeId]);
    expect(setAside[0].published).toBe(true);
    expect(setAside[0].set_aside_error).toEqual(expect.any(String));
    expect(setAside[0].set_aside_error!.length).toBeGreaterThan(0);
    // The published rows are gone; only the set-aside one stays, for an operator to look at.
    expect(rows.filter((r) => !r.set_aside)).toEqual([]);

    // The publisher carries on with rows written afterwards.
    await appendRows(schema, topic, 'a', 1);
    await eventually('a later row', () => received.length >= 6);
    expect(received.filter((r) => r.key === 'a').map((r) => r.seq)).toEqual([1, 3, 4, 5]);
  });

  it('starts a new producer when the broker has lost track of its sequence numbers, and still publishes every row once in order', async () => {
    const proxy = await KafkaFaultProxy.start(testBrokers());
    cleanups.push(() => proxy.stop());
    const schema = await createOutbox();
    const topic = await createTopic();
    await dataSource.query(`INSERT INTO "${schema}".key_seq (key) VALUES ('a')`);
    const received = await readTopic(topic);
    const written = await appendRows(schema, topic, 'a', 5);
    // As after a broker restart under load: every produce of this producer is refused for good.
    proxy.fail(API.produce, BROKER_ERROR.outOfOrderSequenceNumber, 3);
    await startPublisher(schema, { brokers: [proxy.address], clientId: 'outbox-it-proxied' });

    await eventually('the rows on the topic', () => received.length >= 5, 30_000);
    await eventually('the rows published', async () => (await publishedCount(schema)).pending === 0);
    expect(proxy.answers(API.produce)).toHaveLength(3);
    // One producer id at start, and one more per producer started after a refusal.
    expect(proxy.requests(API.initProducerId)).toBeGreaterThanOrEqual(2);
    expect(received.map((r) => r.messageId)).toEqual(written.map((m) => m.envelope.messageId));
  });

  it("sends the trace context of the span handling a message's cause (or the one given) as traceparent, and no header at all (a NULL column) otherwise", async () => {
    const schema = await createOutbox();
    const topic = await createTopic();
    const received = await readTopic(topic);
    const inSpan = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const given = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const caused = probeMessage(topic, 't', { seq: 1, rolledBack: false });
    const firedLater = { ...probeMessage(topic, 't', { seq: 2, rolledBack: false }), traceparent: given };
    const untraced = probeMessage(topic, 't', { seq: 3, rolledBack: false });
    const scope = traceContexts.open(caused.envelope.causationId, inSpan);
    try {
      await dataSource.transaction((manager) => appendToOutbox(manager, schema, [caused, firedLater, untraced]));
    } finally {
      traceContexts.close(scope);
    }
    expect(traceContexts.size).toBe(0);
    // Read before publishing: published rows are deleted.
    const rows = await dataSource.query(`SELECT traceparent FROM "${schema}".outbox ORDER BY id`);
    expect(rows).toEqual([{ traceparent: inSpan }, { traceparent: given }, { traceparent: null }]);
    await startPublisher(schema);
    await eventually('three rows published', () => received.length === 3);
    expect(received.map((r) => [r.seq, r.traceparent])).toEqual([
      [1, inSpan],
      [2, given],
      [3, undefined],
    ]);
  });

  describe('rows handed over by their writer (each the first of its key)', () => {
    /** An outbox, a topic read from its beginning, and its publisher leading and settled; no backstop poll unless asked for. */
    async function ledOutbox(pollIntervalMs = 60_000) {
      const schema = await createOutbox();
      const topic = await createTopic();
      const received = await readTopic(topic);
      const publisher = await startPublisher(schema, { pollIntervalMs });
      await eventually('the publisher to lead', () => publisher.isLeader);
      await new Promise((r) => setTimeout(r, 300));
      return { schema, topic, received };
    }

    /** Once on the topic, and deleted from the outbox: `count` records in all. */
    async function expectSentOnce(
      schema: string,
      topic: string,
      received: Received[],
      count: number,
      timeoutMs?: number,
    ): Promise<void> {
      await eventually('the rows on the topic', () => received.length >= count, timeoutMs);
      await eventually('the rows deleted', async () => (await outboxSize(schema)) === 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(await topicSize(topic)).toBe(count);
    }

    it('produces them without polling for them, once each and as written, and deletes them with statements of their own', async () => {
      const { schema, topic, received } = await ledOutbox();
      const pollsBefore = await pollsOf(schema);

      const handed: CommittedOutboxRow[] = [];
      for (let i = 0; i < 5; i += 1) {
        const rows = await commitFirstRows(schema, topic, 4);
        outboxFirstRowsCommitted(schema, rows);
        handed.push(...rows);
        await eventually('the rows on the topic', () => received.length >= handed.length);
      }
      await eventually('the rows deleted', async () => (await outboxSize(schema)) === 0);

      expect((await pollsOf(schema)) - pollsBefore).toBe(0);
      expect(await topicSize(topic)).toBe(handed.length);
      const sent = new Map(received.map((r) => [r.messageId, r]));
      for (const row of handed) {
        const record = sent.get(row.envelope.messageId)!;
        expect({ key: record.key, envelope: JSON.parse(record.value) }).toEqual({
          key: row.envelope.aggregateId,
          envelope: row.envelope,
        });
      }
    });

    it('deletes what it sent while rows keep coming, without waiting for a quiet moment', async () => {
      const { schema, topic, received } = await ledOutbox();
      let handed = 0;
      // A handover every 20 ms: the loop never sleeps out the 100 ms after which a quiet publisher deletes.
      for (let i = 0; i < 50; i += 1) {
        const rows = await commitFirstRows(schema, topic, 4);
        outboxFirstRowsCommitted(schema, rows);
        handed += rows.length;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await outboxSize(schema)).toBeLessThan(handed / 2);
      await expectSentOnce(schema, topic, received, handed);
    });

    it('sends a row that a poll read while the row waited to be handed over once, in the poll', async () => {
      const { schema, topic, received } = await ledOutbox();
      const [first] = await commitFirstRows(schema, topic, 1);
      const [late] = await commitFirstRows(schema, topic, 1);
      // Newer than both rows, so it holds neither back; its lock on `first` makes the poll's delete of it wait.
      const blocker = await openTransaction();
      await blocker.query(`SELECT 1 FROM "${schema}".outbox WHERE id = $1 FOR UPDATE`, [first.id]);

      // `first` goes out as handed over; a commit asks for a poll, which reads `late` and waits to delete `first`.
      outboxFirstRowsCommitted(schema, [first]);
      outboxCommitted(schema);
      await eventually('the poll waiting on the lock', async () => {
        const [{ n }] = await dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
          [`outbox-publisher:${schema}`],
        );
        return n === 1;
      });
      // `late`'s writer hands it over only now, while the poll that read it is under way.
      outboxFirstRowsCommitted(schema, [late]);
      await blocker.commitTransaction();

      await expectSentOnce(schema, topic, received, 2);
      expect(received.map((r) => r.messageId).sort()).toEqual([first, late].map((r) => r.envelope.messageId).sort());
    });

    it('does not send again a row that a poll sent before its writer handed it over', async () => {
      const { schema, topic, received } = await ledOutbox();
      const sent = async () =>
        (await outboxPublished.get()).values.filter((v) => v.labels.outbox === schema).reduce((sum, v) => sum + v.value, 0);
      const [row] = await commitFirstRows(schema, topic, 1);

      // A poll, woken by another commit, reads and sends the row first.
      outboxCommitted(schema);
      while ((await sent()) < 1) await new Promise((r) => setImmediate(r));
      // Its writer hands it over only now, well within the 100 ms before the publisher deletes what it sent.
      outboxFirstRowsCommitted(schema, [row]);

      await expectSentOnce(schema, topic, received, 1);
    });

    it('does not send again a row that a poll sent and deleted before its writer handed it over', async () => {
      const { schema, topic, received } = await ledOutbox();
      const [row] = await commitFirstRows(schema, topic, 1);

      // A poll, woken by another commit, sends the row and deletes it, all before its writer's handover
      // comes (as when the writer's process stalls between the commit and the handover).
      outboxCommitted(schema);
      await eventually('the row sent and deleted', async () => received.length === 1 && (await outboxSize(schema)) === 0);
      outboxFirstRowsCommitted(schema, [row]);

      await expectSentOnce(schema, topic, received, 1);
    });

    it('leaves rows the broker refuses in the outbox, and the poll sends them once each when it takes them', async () => {
      const schema = await createOutbox();
      // Not created yet: the broker refuses every produce to it (topics are never created by producing).
      const topic = `it-outbox-${randomUUID()}`;
      const publisher = await startPublisher(schema, { pollIntervalMs: 200 });
      await eventually('the publisher to lead', () => publisher.isLeader);
      const handed = await commitFirstRows(schema, topic, 3);
      outboxFirstRowsCommitted(schema, handed);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await outboxSize(schema)).toBe(3);

      await ensureTopics(kafka, [topic], 3);
      const received = await readTopic(topic);
      await expectSentOnce(schema, topic, received, 3, 30_000);
      expect(received.map((r) => r.messageId).sort()).toEqual(handed.map((r) => r.envelope.messageId).sort());
    });

    it("leaves them to the leader's poll on a standby, and each goes out once, before and after a failover", async () => {
      const schema = await createOutbox();
      const topic = await createTopic();
      const received = await readTopic(topic);
      const first = await startPublisher(schema);
      await eventually('the first publisher to lead', () => first.isLeader);
      const second = await startPublisher(schema);

      // Both publishers of this process are handed each row: the leader keeps it, the standby leaves it.
      const handed: CommittedOutboxRow[] = [];
      const handOverTen = async () => {
        for (let i = 0; i < 10; i += 1) {
          const rows = await commitFirstRows(schema, topic, 2);
          outboxFirstRowsCommitted(schema, rows);
          handed.push(...rows);
        }
      };
      await handOverTen();
      await expectSentOnce(schema, topic, received, handed.length);
      expect([first.isLeader, second.isLeader]).toEqual([true, false]);

      await first.stop();
      await eventually('the standby to take over', () => second.isLeader);
      await handOverTen();
      await expectSentOnce(schema, topic, received, handed.length);
      expect(received.map((r) => r.messageId).sort()).toEqual(handed.map((r) => r.envelope.messageId).sort());
    });
  });
});

class RolledBack extends Error {}
