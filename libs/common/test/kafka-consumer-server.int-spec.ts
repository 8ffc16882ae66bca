import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, DynamicModule, Inject, INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { EachBatchPayload, IHeaders, Kafka, Message, Producer } from '@app/common/messaging/kafkajs';
import pino from 'pino';
import { dlqTopic, Envelope } from '@app/common/contracts';
import {
  BatchOutcome,
  ConsumedMessage,
  createKafka,
  createProducer,
  encodeEnvelope,
  ensureTopics,
  headerText,
  FetchWait,
  KafkaConsumerServer,
  KafkaHandlerErrorFilter,
  RetryPolicy,
  TopicNamespace,
} from '@app/common/messaging';
import { testBrokers } from '../../../test/support/test-database';
import { eventually } from '../../../test/support/eventually';

const log = pino({ level: process.env.SCS_TEST_VERBOSE ? 'debug' : 'silent' });
const TOPIC = 'probe.v1';
const GROUP = 'probe-group';
const PARTITIONS = 3;
const RETRY: RetryPolicy = { poisonAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 };
/** Tests that close a member with work still running wait this long, not the apps' 12 s. */
const SHORT_CLOSE_GRACE_MS = 6_000;
const HANDLE = Symbol('handle');

type ProbeEnvelope = Envelope<'Probe', ProbePayload>;
type Batch = ConsumedMessage<ProbeEnvelope>[];
type Handle = (batch: Batch) => Promise<BatchOutcome>;

interface ProbePayload {
  readonly seq: number;
  readonly poison?: boolean;
}

/** Bound the way the apps bind their consumer controllers: a batch of records, of one partition or several fetched together. */
@Controller()
@UseFilters(KafkaHandlerErrorFilter)
class ProbeController {
  constructor(@Inject(HANDLE) private readonly handle: Handle) {}

  @EventPattern(TOPIC)
  async onProbe(@Payload() batch: Batch): Promise<BatchOutcome> {
    return this.handle(batch);
  }
}

@Module({})
class ProbeModule {
  static with(handle: Handle): DynamicModule {
    return { module: ProbeModule, controllers: [ProbeController], providers: [{ provide: HANDLE, useValue: handle }] };
  }
}

function probe(key: string, payload: ProbePayload): ProbeEnvelope {
  return {
    messageId: randomUUID(),
    tenantId: 'tenant-it',
    aggregateType: 'ServiceCall',
    aggregateId: key,
    type: 'Probe',
    schemaVersion: 1,
    timestamp: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    payload,
  };
}

/** A handler's own error type, so a DLQ record can be shown to carry it (not a wrapper's). */
class ProbeRejected extends Error {
  override readonly name = 'ProbeRejected';
}

const connectionRefused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
const connectionFailure = () =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '08006', severity: 'FATAL' });

interface Handled {
  readonly messageId: string;
  readonly key: string;
  readonly seq: number;
  readonly partition: number;
  readonly offset: string;
}

interface DeadLetter {
  readonly key: string | undefined;
  readonly value: string;
  readonly headers: IHeaders;
}

interface StartedConsumer {
  readonly server: KafkaConsumerServer;
  /** Stops this consumer the way the app does on shutdown (Nest closes the transport). */
  close(): Promise<void>;
}

const ids = (batch: readonly ConsumedMessage[]) => batch.map((m) => m.envelope.messageId);
const toHandled = (m: ConsumedMessage<ProbeEnvelope>): Handled => ({
  messageId: m.envelope.messageId,
  key: m.envelope.aggregateId,
  seq: m.envelope.payload.seq,
  partition: m.partition,
  offset: m.offset,
});
const next = (offset: string) => String(Number(offset) + 1);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Deferred work that settles after 50 ms, failing with `error` if given. Marked as handled here, so
 * a completion the transport stops following (on shutdown) is not reported as an unhandled rejection.
 */
function settlesLater(error?: Error): Promise<void> {
  const work = new Promise<void>((resolve, reject) => setTimeout(() => (error ? reject(error) : resolve()), 50));
  work.catch(() => undefined);
  return work;
}

describe('KafkaConsumerServer (real Kafka, Nest microservice, batch handlers)', () => {
  let kafka: Kafka;
  let producer: Producer;
  let namespace: TopicNamespace;
  const cleanups: Array<() => Promise<unknown>> = [];
  const crashes: Error[] = [];

  beforeAll(async () => {
    kafka = createKafka('kcs-it', testBrokers().split(','), log);
    producer = createProducer(kafka);
    await producer.connect();
  });

  beforeEach(() => {
    // A fresh prefix per test: its own topics, consumer group and DLQ.
    namespace = new TopicNamespace(`it-kcs-${randomUUID().slice(0, 8)}.`);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    expect(crashes.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  const physicalTopics = () => [namespace.physical(TOPIC), namespace.physical(dlqTopic(TOPIC, GROUP))];

  /** Creates the topics before any consumer runs, so messages sent now reach the consumer in one fetch. */
  const createTopics = () => ensureTopics(kafka, physicalTopics(), PARTITIONS);

  async function startConsumer(
    handle: Handle,
    options: {
      sessionTimeoutMs?: number;
      closeGraceMs?: number;
      maxHandlerMs?: number;
      retryPolicy?: RetryPolicy;
      kafka?: Kafka;
      instrument?: (server: KafkaConsumerServer) => void;
      fetch?: FetchWait;
    } = {},
  ): Promise<StartedConsumer> {
    const server = new KafkaConsumerServer({
      kafka: options.kafka ?? kafka,
      log,
      namespace,
      groupId: GROUP,
      topics: [TOPIC],
      topicsToCreate: [TOPIC, dlqTopic(TOPIC, GROUP)],
      partitions: PARTITIONS,
      retryPolicy: options.retryPolicy ?? RETRY,
      sessionTimeoutMs: options.sessionTimeoutMs,
      closeGraceMs: options.closeGraceMs,
      maxHandlerMs: options.maxHandlerMs,
      fetch: options.fetch,
      onCrash: (error) => crashes.push(error),
    });
    options.instrument?.(server);
    const app: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(ProbeModule.with(handle), {
      strategy: server,
      logger: false,
    });
    await app.listen();
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= app.close());
    cleanups.push(close);
    await eventually('the consumer to join its group', () => server.isReady);
    return { server, close };
  }

  /** Sends the messages in order, one request each, and returns where each landed. */
  async function send(messages: Message[]): Promise<{ partition: number; offset: string }[]> {
    const positions = [];
    for (const message of messages) {
      const [meta] = await producer.send({ topic: namespace.physical(TOPIC), messages: [message] });
      positions.push({ partition: meta.partition, offset: meta.baseOffset! });
    }
    return positions;
  }

  /** Sends the messages in one request (one record batch per partition); all must share a key. */
  async function sendTogether(messages: Message[]): Promise<{ partition: number; offsets: string[] }> {
    const [meta] = await producer.send({ topic: namespace.physical(TOPIC), messages });
    const base = Number(meta.baseOffset);
    return { partition: meta.partition, offsets: messages.map((_, i) => String(base + i)) };
  }

  async function readDeadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId: `it-dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [namespace.physical(dlqTopic(TOPIC, GROUP))], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({ key: message.key?.toString(), value: message.value!.toString(), headers: message.headers ?? {} });
      },
    });
    cleanups.push(() => consumer.disconnect());
    return letters;
  }

  async function withAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The group's committed offset for a partition of the probe topic ('-1' when nothing was committed). */
  const committedOffset = (partition: number): Promise<string> =>
    withAdmin(async (admin) => {
      const [topic] = await admin.fetchOffsets({ groupId: namespace.physical(GROUP), topics: [namespace.physical(TOPIC)] });
      return topic.partitions.find((p) => p.partition === partition)!.offset;
    });

  /** How many records the DLQ holds, read from the broker's own high watermarks. */
  const deadLetterCount = (): Promise<number> =>
    withAdmin(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(namespace.physical(dlqTopic(TOPIC, GROUP)));
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    });

  const header = (letter: DeadLetter, name: string) => headerText(letter.headers, name);

  it('dead-letters a poison message after its tries alone, and an undecodable one at once, with their origin, then handles the rest of the partition', async () => {
    await createTopics();
    const key = 'call-poison';
    const poison = probe(key, { seq: 2, poison: true });
    const good = [probe(key, { seq: 1 }), probe(key, { seq: 4 }), probe(key, { seq: 5 })];
    const notJson: Message = { key, value: 'this is {not json', headers: { messageId: 'not-json-1' } };
    const positions = await send([
      encodeEnvelope(good[0]),
      encodeEnvelope(poison),
      notJson,
      encodeEnvelope(good[1]),
      encodeEnvelope(good[2]),
    ]);
    expect(new Set(positions.map((p) => p.partition)).size).toBe(1);
    const { partition } = positions[0];

    const handled: Handled[] = [];
    const triedAlone: string[] = [];
    await startConsumer(async (batch) => {
      if (batch.length === 1) triedAlone.push(batch[0].envelope.messageId);
      const bad = batch.find((m) => m.envelope.payload.poison);
      if (bad) throw new ProbeRejected(`poison pill ${bad.envelope.messageId}`);
      handled.push(...batch.map(toHandled));
    });
    const letters = await readDeadLetters();

    await eventually('the later messages of the partition', () => handled.length >= 3);
    await eventually('two dead letters', () => letters.length >= 2);
    expect(handled.map((h) => h.seq)).toEqual([1, 4, 5]);
    expect(triedAlone.filter((id) => id === poison.messageId)).toHaveLength(RETRY.poisonAttempts);

    const poisonLetter = letters.find((l) => header(l, 'messageId') === poison.messageId)!;
    const notJsonLetter = letters.find((l) => header(l, 'messageId') === 'not-json-1')!;
    expect(poisonLetter.key).toBe(key);
    expect(poisonLetter.value).toBe(encodeEnvelope(poison).value);
    expect(header(poisonLetter, 'dlq.original.topic')).toBe(namespace.physical(TOPIC));
    expect(header(poisonLetter, 'dlq.original.partition')).toBe(String(partition));
    expect(header(poisonLetter, 'dlq.original.offset')).toBe(positions[1].offset);
    expect(header(poisonLetter, 'dlq.consumer.group')).toBe(namespace.physical(GROUP));
    expect(header(poisonLetter, 'dlq.attempts')).toBe(String(RETRY.poisonAttempts));
    expect(header(poisonLetter, 'dlq.error.name')).toBe('ProbeRejected');
    expect(header(poisonLetter, 'dlq.error.message')).toBe(`poison pill ${poison.messageId}`);

    expect(notJsonLetter.value).toBe('this is {not json');
    expect(notJsonLetter.key).toBe(key);
    expect(header(notJsonLetter, 'dlq.original.topic')).toBe(namespace.physical(TOPIC));
    expect(header(notJsonLetter, 'dlq.original.offset')).toBe(positions[2].offset);
    expect(header(notJsonLetter, 'dlq.original.partition')).toBe(String(partition));
    expect(header(notJsonLetter, 'dlq.error.name')).toBe('MalformedMessageError');
    expect(header(notJsonLetter, 'dlq.error.message')).toBe('message value is not JSON');

    // Everything, dead letters included, is behind the group's committed offset.
    await eventually(
      'the offset after the last message committed',
      async () => (await committedOffset(partition)) === next(positions[4].offset),
    );
    expect(await deadLetterCount()).toBe(2);
  });

  it("splits a batch around a poison message in its middle: the DLQ gets it with the handler's own error, the rest of the batch is handled once and committed", async () => {
    await createTopics();
    const key = 'call-mid-batch';
    const messages = [1, 2, 3, 4, 5, 6].map((seq) => probe(key, { seq, poison: seq === 3 }));
    const poison = messages[2];
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));

    const calls: string[][] = [];
    const handled: Handled[] = [];
    await startConsumer(async (batch) => {
      calls.push(ids(batch));
      const bad = batch.find((m) => m.envelope.payload.poison);
      if (bad) throw new ProbeRejected(`seq ${bad.envelope.payload.seq} breaks the probe schema`);
      handled.push(...batch.map(toHandled));
    });
    const letters = await readDeadLetters();

    await eventually(
      'the offset after the batch committed',
      async () => (await committedOffset(partition)) === next(offsets[5]),
    );
    await eventually('the dead letter', () => letters.length >= 1);

    // It really was one batch, and only the poison message failed for good.
    expect(calls[0]).toEqual(messages.map((m) => m.messageId));
    expect(handled.map((h) => [h.seq, h.offset])).toEqual([
      [1, offsets[0]],
      [2, offsets[1]],
      [4, offsets[3]],
      [5, offsets[4]],
      [6, offsets[5]],
    ]);
    expect(calls.filter((c) => c.length === 1 && c[0] === poison.messageId)).toHaveLength(RETRY.poisonAttempts);

    await pause(500);
    expect(letters).toHaveLength(1);
    expect(await deadLetterCount()).toBe(1);
    const [letter] = letters;
    expect(header(letter, 'messageId')).toBe(poison.messageId);
    expect(header(letter, 'dlq.original.offset')).toBe(offsets[2]);
    expect(header(letter, 'dlq.original.partition')).toBe(String(partition));
    expect(header(letter, 'dlq.error.name')).toBe('ProbeRejected');
    expect(header(letter, 'dlq.error.message')).toBe('seq 3 breaks the probe schema');
    // Nothing handled twice.
    expect(new Set(handled.map((h) => h.messageId)).size).toBe(handled.length);
  });

  it('retries a transient fault in place for as long as it lasts, never dead-letters it, commits nothing meanwhile, then handles the batch once', async () => {
    await createTopics();
    const key = 'call-transient';
    const messages = [1, 2, 3].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));

    let healthy = false;
    const calls: string[][] = [];
    const handled: Handled[] = [];
    await startConsumer(async (batch) => {
      calls.push(ids(batch));
      // The database is away: half the time the driver's refused connection, half the time a dropped one.
      if (!healthy) throw calls.length % 2 === 0 ? connectionRefused() : connectionFailure();
      handled.push(...batch.map(toHandled));
    });

    // Many more tries than poisonAttempts: a transient fault is never counted towards poison.
    await eventually('many failed tries', () => calls.length >= 8 * RETRY.poisonAttempts);
    expect(await committedOffset(partition)).toBe('-1');
    expect(await deadLetterCount()).toBe(0);
    // Always the same whole batch, never split into single messages.
    expect(calls.every((c) => c.join() === messages.map((m) => m.messageId).join())).toBe(true);

    healthy = true;
    await eventually('the batch handled', () => handled.length >= 3);
    await eventually('the batch committed', async () => (await committedOffset(partition)) === next(offsets[2]));
    await pause(500);
    expect(handled.map((h) => [h.seq, h.offset])).toEqual([
      [1, offsets[0]],
      [2, offsets[1]],
      [3, offsets[2]],
    ]);
    expect(await deadLetterCount()).toBe(0);
  });

  it('stops at once while deferred work backs off from a transient fault, and leaves that message uncommitted for the next member', async () => {
    await createTopics();
    const messages = [1, 2, 3].map((seq) => probe('call-backing-off', { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));
    const backoffMs = 30_000;
    const calls: number[][] = [];
    const consumer = await startConsumer(
      async (batch) => {
        calls.push(batch.map((m) => m.envelope.payload.seq));
        return {
          completions: batch.map((m) => settlesLater(m.envelope.payload.seq === 2 ? connectionRefused() : undefined)),
        };
      },
      { retryPolicy: { ...RETRY, initialBackoffMs: backoffMs, maxBackoffMs: backoffMs } },
    );
    await eventually('1 committed, 2 backing off', async () => (await committedOffset(partition)) === offsets[1]);
    await pause(300);

    const started = Date.now();
    await consumer.close();
    // close() waits for deferred work; waiting its backoff out would take the 12 s close deadline.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(calls).toEqual([[1, 2, 3]]);
    expect(await committedOffset(partition)).toBe(offsets[1]);
    expect(await deadLetterCount()).toBe(0);
  });

  it('commits an offset only after its handler finished, so a consumer that dies mid-batch has it redelivered', async () => {
    const sessionTimeoutMs = 6_000;
    const key = 'call-crash';
    const [first, stuck, after] = [probe(key, { seq: 1 }), probe(key, { seq: 2 }), probe(key, { seq: 3 })];
    const handledByFirst: Handled[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    await startConsumer(
      async (batch) => {
        handledByFirst.push(...batch.map(toHandled));
        // A process that hangs, then dies, before finishing the batch that holds this message.
        if (batch.some((m) => m.envelope.messageId === stuck.messageId)) await gate;
      },
      // The member heartbeats for a working handler only this long, then goes silent as a dead one would.
      { sessionTimeoutMs, maxHandlerMs: 1_000 },
    );
    cleanups.push(async () => release()); // runs before the first consumer is closed

    const [firstAt] = await send([encodeEnvelope(first)]);
    const { partition } = firstAt;
    await eventually('the first message committed', async () => (await committedOffset(partition)) === next(firstAt.offset));
    const positions = [firstAt, ...(await send([encodeEnvelope(stuck), encodeEnvelope(after)]))];
    await eventually('the first consumer to start on the stuck message', () =>
      handledByFirst.some((h) => h.messageId === stuck.messageId),
    );
    // The batch with the stuck message is not committed, however long it runs.
    await pause(500);
    expect(await committedOffset(partition)).toBe(positions[1].offset);
    expect(handledByFirst.map((h) => h.seq).slice(0, 2)).toEqual([1, 2]);

    // A second instance in the same group takes over once the silent member's session expires.
    const handledBySecond: Handled[] = [];
    await startConsumer(
      async (batch) => {
        handledBySecond.push(...batch.map(toHandled));
      },
      { sessionTimeoutMs },
    );
    await eventually('the second consumer to handle the rest', () => handledBySecond.length >= 2, 30_000);
    expect(handledBySecond.map((h) => [h.messageId, h.offset])).toEqual([
      [stuck.messageId, positions[1].offset],
      [after.messageId, positions[2].offset],
    ]);
    await eventually(
      'the redelivered messages committed',
      async () => (await committedOffset(partition)) === next(positions[2].offset),
    );
  }, 60_000);

  it('redelivers a batch whose handler finished but whose offset commit was lost when the consumer went away', async () => {
    await createTopics();
    const key = 'call-lost-commit';
    const messages = [1, 2, 3, 4].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));

    const handledByFirst: Handled[] = [];
    let commitsLost = 0;
    // The process dies right after the handler's transaction: none of its commits reaches the broker.
    const lossyKafka = Object.create(kafka, {
      consumer: {
        value: (config: Parameters<Kafka['consumer']>[0]) => {
          const consumer = kafka.consumer(config);
          consumer.commitOffsets = async () => {
            commitsLost += 1;
            throw new Error('the process died before this commit');
          };
          return consumer;
        },
      },
    }) as Kafka;
    const first = await startConsumer(
      async (batch) => {
        handledByFirst.push(...batch.map(toHandled));
      },
      { kafka: lossyKafka },
    );
    await eventually('the first consumer to handle the batch', () => handledByFirst.length >= messages.length);
    await eventually('its commit attempt', () => commitsLost > 0);
    await first.close();
    expect(await committedOffset(partition)).toBe('-1');

    // The next member of the group starts from the last committed position: the whole batch again.
    const handledBySecond: Handled[] = [];
    await startConsumer(async (batch) => {
      handledBySecond.push(...batch.map(toHandled));
    });
    await eventually('the batch redelivered', () => handledBySecond.length >= messages.length);
    expect(handledBySecond.map((h) => [h.messageId, h.offset])).toEqual(handledByFirst.map((h) => [h.messageId, h.offset]));
    expect(handledBySecond.map((h) => h.offset)).toEqual(offsets);
    await eventually('the redelivered batch committed', async () => (await committedOffset(partition)) === next(offsets[3]));
  });

  it('holds the committed offset below the oldest unfinished deferred completion, and a restarted consumer receives exactly the unfinished ones', async () => {
    const sessionTimeoutMs = 6_000;
    await createTopics();
    const key = 'call-deferred';
    const messages = [0, 1, 2, 3, 4].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));

    const finishers = new Map<string, () => void>();
    const accepted: Handled[] = [];
    const first = await startConsumer(
      async (batch) => {
        accepted.push(...batch.map(toHandled));
        // Accepts the batch now; each message's work finishes whenever the test says.
        return {
          completions: batch.map((m) => new Promise<void>((resolve) => finishers.set(m.envelope.messageId, resolve))),
        };
      },
      { sessionTimeoutMs, closeGraceMs: SHORT_CLOSE_GRACE_MS },
    );
    const finish = (i: number) => finishers.get(messages[i].messageId)!();

    await eventually(
      'every message accepted',
      () => accepted.length === messages.length && finishers.size === messages.length,
    );
    // Nothing finished: the group's position stays at the first message (nothing committed, or its own offset).
    const atStart = [`-1`, offsets[0]];
    await pause(300);
    expect(atStart).toContain(await committedOffset(partition));

    // Out of order: 2 then 0. Only 0 is below the oldest unfinished (1).
    finish(2);
    await pause(300);
    expect(atStart).toContain(await committedOffset(partition));
    finish(0);
    await eventually(
      'the commit up to the oldest unfinished',
      async () => (await committedOffset(partition)) === offsets[1],
    );
    await pause(500);
    expect(await committedOffset(partition)).toBe(offsets[1]);

    // 1 finishes: the commit jumps over 2 (finished earlier) and stops at 3, the oldest unfinished.
    finish(1);
    await eventually('the commit past the finished run', async () => (await committedOffset(partition)) === offsets[3]);
    await pause(500);
    expect(await committedOffset(partition)).toBe(offsets[3]);

    // The process goes away with 3 and 4 still running; a new one picks up exactly those.
    await first.close();
    expect(await committedOffset(partition)).toBe(offsets[3]);
    const redelivered: Handled[] = [];
    await startConsumer(
      async (batch) => {
        redelivered.push(...batch.map(toHandled));
      },
      { sessionTimeoutMs },
    );
    await eventually('the unfinished ones redelivered', () => redelivered.length >= 2);
    await eventually('everything committed', async () => (await committedOffset(partition)) === next(offsets[4]));
    expect(redelivered.map((h) => [h.seq, h.offset])).toEqual([
      [3, offsets[3]],
      [4, offsets[4]],
    ]);
  }, 60_000);

  it('lets deferred work finish for the close grace, longer than the session, and commits it; what still runs goes to the next member', async () => {
    await createTopics();
    const messages = [0, 1, 2].map((seq) => probe('call-closing', { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));
    const finishers = new Map<number, () => void>();
    const sessionTimeoutMs = 6_000;
    const closeGraceMs = 9_000;
    const first = await startConsumer(
      async (batch) => ({
        completions: batch.map((m) => new Promise<void>((resolve) => finishers.set(m.envelope.payload.seq, resolve))),
      }),
      { sessionTimeoutMs, closeGraceMs },
    );
    await eventually('every message accepted', () => finishers.size === messages.length);
    finishers.get(0)!();
    await eventually('0 committed', async () => (await committedOffset(partition)) === offsets[1]);

    const started = Date.now();
    const closing = first.close();
    // 1 finishes after a session timeout has passed: only a member still heartbeating can commit it. 2 never finishes.
    await pause(sessionTimeoutMs + 1_000);
    finishers.get(1)!();
    await closing;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(closeGraceMs - 50);
    expect(took).toBeLessThan(closeGraceMs + 4_000);
    expect(await committedOffset(partition)).toBe(offsets[2]);

    const redelivered: number[] = [];
    await startConsumer(async (batch) => {
      redelivered.push(...batch.map((m) => m.envelope.payload.seq));
    });
    await eventually('2 handed to the next member', () => redelivered.includes(2));
    expect(redelivered).toEqual([2]);
  }, 60_000);

  it('dead-letters a message whose deferred completion fails, and commits past it', async () => {
    await createTopics();
    const key = 'call-deferred-failure';
    const messages = [1, 2, 3].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));
    const later = (fail: boolean) => settlesLater(fail ? new ProbeRejected('the call could not be recorded') : undefined);
    await startConsumer(async (batch) => ({ completions: batch.map((m) => later(m.envelope.payload.seq === 2)) }));
    const letters = await readDeadLetters();
    await eventually('the dead letter', () => letters.length >= 1);
    expect(header(letters[0], 'messageId')).toBe(messages[1].messageId);
    expect(header(letters[0], 'dlq.error.message')).toBe('the call could not be recorded');
    await eventually('everything committed', async () => (await committedOffset(partition)) === next(offsets[2]));
  });

  it('hands a message whose deferred completion fails transiently to the handler again, alone, never dead-letters it, and commits past it only once it succeeds', async () => {
    await createTopics();
    const key = 'call-deferred-transient';
    const messages = [1, 2, 3].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));
    let healthy = false;
    const calls: number[][] = [];
    const later = (fail: boolean) => settlesLater(fail ? connectionRefused() : undefined);
    await startConsumer(async (batch) => {
      calls.push(batch.map((m) => m.envelope.payload.seq));
      return { completions: batch.map((m) => later(m.envelope.payload.seq === 2 && !healthy)) };
    });

    await eventually('the message handed over again several times', () => calls.filter((c) => c.join() === '2').length >= 3);
    expect(await deadLetterCount()).toBe(0);
    expect(await committedOffset(partition)).toBe(offsets[1]);

    healthy = true;
    await eventually('everything committed', async () => (await committedOffset(partition)) === next(offsets[2]));
    expect(await deadLetterCount()).toBe(0);
    // Only the failing message was handed over again, never its neighbours.
    expect(calls.slice(1).every((c) => c.join() === '2')).toBe(true);
  });

  it('keeps a message whose deferred work still fails transiently uncommitted when the consumer stops, so the next member gets it', async () => {
    const sessionTimeoutMs = 6_000;
    await createTopics();
    const key = 'call-deferred-shutdown';
    const messages = [1, 2, 3].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));
    const calls: number[][] = [];
    let stopping = false;
    // While the consumer stops, the work handed over again hangs (a connection attempt that never
    // returns): it must then simply stay unfinished.
    const later = (fail: boolean) =>
      stopping && fail ? new Promise<void>(() => undefined) : settlesLater(fail ? connectionRefused() : undefined);
    const first = await startConsumer(
      async (batch) => {
        calls.push(batch.map((m) => m.envelope.payload.seq));
        return { completions: batch.map((m) => later(m.envelope.payload.seq === 2)) };
      },
      { sessionTimeoutMs, closeGraceMs: SHORT_CLOSE_GRACE_MS },
    );
    await eventually('the message handed over again', () => calls.filter((c) => c.join() === '2').length >= 2);
    expect(await committedOffset(partition)).toBe(offsets[1]);

    stopping = true;
    await first.close();
    expect(await committedOffset(partition)).toBe(offsets[1]);
    const redelivered: number[] = [];
    await startConsumer(
      async (batch) => {
        redelivered.push(...batch.map((m) => m.envelope.payload.seq));
      },
      { sessionTimeoutMs },
    );
    await eventually('everything committed', async () => (await committedOffset(partition)) === next(offsets[2]));
    expect(redelivered).toEqual([2, 3]);
  }, 60_000);

  it('never dead-letters while a transient fault outlasts a rebalance whose heartbeats fail during the backoff', async () => {
    const sessionTimeoutMs = 8_000;
    await createTopics();
    const key = 'call-rebalance';
    const messages = [1, 2, 3].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));

    let healthy = false;
    let tries = 0;
    const handled: Handled[] = [];
    const handle: Handle = async (batch) => {
      if (!healthy) {
        tries += 1;
        throw connectionRefused();
      }
      handled.push(...batch.map(toHandled));
    };
    // Observes (does not alter) the heartbeats the transport sends while it waits between tries.
    const heartbeatErrors: string[] = [];
    const observeHeartbeats = (server: KafkaConsumerServer) => {
      const target = server as unknown as { processFetchedBatch(payload: EachBatchPayload): Promise<void> };
      const original = target.processFetchedBatch.bind(server);
      target.processFetchedBatch = (payload) =>
        original({
          ...payload,
          heartbeat: async () => {
            try {
              await payload.heartbeat();
            } catch (error) {
              heartbeatErrors.push(`${(error as { type?: string }).type ?? (error as Error).name}`);
              throw error;
            }
          },
        });
    };
    await startConsumer(handle, { sessionTimeoutMs, instrument: observeHeartbeats });
    await eventually('the first failed tries', () => tries >= 5);

    // A second member joins: the group rebalances while the first is still retrying the batch.
    const joining = startConsumer(handle, { sessionTimeoutMs, instrument: observeHeartbeats });
    await eventually('a heartbeat refused during the backoff', () => heartbeatErrors.length > 0, 15_000);
    await pause(2_000);
    expect(await deadLetterCount()).toBe(0);

    healthy = true;
    await joining;
    await eventually(
      'the batch handled',
      () => messages.every((m) => handled.some((h) => h.messageId === m.messageId)),
      30_000,
    );
    await eventually('the batch committed', async () => (await committedOffset(partition)) === next(offsets[2]), 30_000);
    await pause(500);
    expect(await deadLetterCount()).toBe(0);
    expect(heartbeatErrors.length).toBeGreaterThan(0);
  }, 90_000);

  it('keeps heartbeating while a handler works longer than the session timeout: the member keeps its partition and the batch is handled once', async () => {
    const sessionTimeoutMs = 6_000;
    await createTopics();
    const messages = [1, 2].map((seq) => probe('call-slow-handler', { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));
    const handled: Handled[] = [];
    let slow = true;
    await startConsumer(
      async (batch) => {
        // One slow transaction (a lock wait, a stalled disk), half again as long as the session.
        if (slow) await pause(sessionTimeoutMs * 1.5);
        slow = false;
        handled.push(...batch.map(toHandled));
      },
      { sessionTimeoutMs },
    );
    await eventually('the batch committed', async () => (await committedOffset(partition)) === next(offsets[1]), 30_000);
    await pause(2_000);
    // A member the coordinator had expired would have lost its commit and read the batch again.
    expect(handled.map((h) => h.seq)).toEqual([1, 2]);
  }, 60_000);

  it('lets the group rebalance while one member retries a transient fault: a new member joins within a few heartbeats', async () => {
    const sessionTimeoutMs = 6_000;
    await createTopics();
    await sendTogether([probe('call-stuck-transient', { seq: 1 })].map(encodeEnvelope));
    let tries = 0;
    const first = await startConsumer(
      async () => {
        tries += 1;
        throw connectionRefused();
      },
      { sessionTimeoutMs },
    );
    await eventually('the first failed tries', () => tries >= 3);

    const started = Date.now();
    const second = startConsumer(async () => undefined, { sessionTimeoutMs });
    const joined = await Promise.race([
      second.then(() => Date.now() - started),
      pause(2 * sessionTimeoutMs + 3_000).then(() => 'not joined yet'),
    ]);
    // Lets the stuck member go, so the second one can finish joining and be closed.
    await first.close();
    await (await second).close();
    expect(joined).toBeLessThan(2 * sessionTimeoutMs);
  }, 90_000);

  // After a rebalance that keeps the partition, records whose earlier delivery still has deferred work
  // running are read again; if that chunk is given up (stop, heartbeat error), the running work must
  // still hold the commit (this once committed past 0 and 2).
  it('never commits past deferred work still running when the same records, read again after a rebalance, are given up', async () => {
    const sessionTimeoutMs = 6_000;
    // One partition, so the member whose id sorts first (kafkajs's round-robin assignor) keeps it.
    await ensureTopics(kafka, physicalTopics(), 1);
    const key = 'call-refetched-in-flight';
    const messages = [0, 1, 2, 3, 4].map((seq) => probe(key, { seq }));
    const { partition, offsets } = await sendTogether(messages.map(encodeEnvelope));

    // Work per message, shared by every delivery of it (a redelivered call joins its running work, as in the executor).
    const work = new Map<string, { done: Promise<void>; finish: () => void }>();
    const workFor = (messageId: string) => {
      let entry = work.get(messageId);
      if (!entry) {
        let finish: () => void = () => undefined;
        const done = new Promise<void>((resolve) => (finish = resolve));
        work.set(messageId, (entry = { done, finish }));
      }
      return entry;
    };
    let dependencyDown = false;
    let failedTries = 0;
    const first = await startConsumer(
      async (batch) => {
        if (dependencyDown) {
          failedTries += 1;
          throw connectionRefused();
        }
        return { completions: batch.map((m) => workFor(m.envelope.messageId).done) };
      },
      { sessionTimeoutMs, closeGraceMs: SHORT_CLOSE_GRACE_MS },
    );
    await eventually('every message accepted', () => work.size === messages.length);
    // 3 and 4 finish; 0, 1 and 2 are still running.
    work.get(messages[3].messageId)!.finish();
    work.get(messages[4].messageId)!.finish();
    await pause(500);
    expect(await committedOffset(partition)).toBe(offsets[0]);

    // A second member joins (its id sorts after the first's, so the partition stays): the first member
    // reads 0..4 again from the committed offset, while their work is still running, and hits a fault.
    dependencyDown = true;
    const readBySecond: number[] = [];
    await startConsumer(
      async (batch) => {
        readBySecond.push(...batch.map((m) => m.envelope.payload.seq));
      },
      { sessionTimeoutMs, kafka: createKafka('z-second-member', testBrokers().split(','), log) },
    );
    await eventually('the records read again and failing', () => failedTries >= 2, 30_000);

    // The first member stops while retrying: the re-read records are given up. Then the work of 1 finishes.
    const closing = first.close();
    await pause(500);
    work.get(messages[1].messageId)!.finish();
    await pause(1_000);
    // 0 and 2 are still running: whoever reads the partition next must get them.
    expect(await committedOffset(partition)).toBe(offsets[0]);
    await closing;
    // Once the first member has left, the second one takes the partition and must be handed 0 and 2
    // again (it then commits past them itself, which is its right).
    await eventually('the second member to get 0 and 2', () => readBySecond.includes(0) && readBySecond.includes(2), 30_000);
  }, 90_000);

  it('handles each key in the order it was produced, retries included, while partitions run concurrently', async () => {
    const keys = ['call-a', 'call-b', 'call-c', 'call-d', 'call-e', 'call-f'];
    const handled: Handled[] = [];
    const failedOnce = new Set<string>();
    const tries = new Map<string, number>();
    await startConsumer(async (batch) => {
      for (const m of batch) tries.set(m.envelope.messageId, (tries.get(m.envelope.messageId) ?? 0) + 1);
      await pause(batch.length % 3);
      // Every fifth message fails the first batch it is in (transiently or not, by turns): the retry
      // must happen before the next message of the key is handled.
      const failing = batch.find((m) => m.envelope.payload.seq % 5 === 0 && !failedOnce.has(m.envelope.messageId));
      if (failing) {
        failedOnce.add(failing.envelope.messageId);
        throw failing.envelope.payload.seq % 10 === 0 ? connectionRefused() : new Error('flaky handler');
      }
      handled.push(...batch.map(toHandled));
    });
    const perKey = 25;
    const messages = Array.from({ length: perKey }, (_, seq) => keys.map((key) => probe(key, { seq: seq + 1 }))).flat();
    await producer.send({ topic: namespace.physical(TOPIC), messages: messages.map(encodeEnvelope) });

    await eventually('every message handled', () => handled.length >= messages.length);
    await pause(300);
    expect(handled).toHaveLength(messages.length);
    expect(new Set(handled.map((h) => h.partition)).size).toBeGreaterThan(1);
    for (const key of keys) {
      const ofKey = handled.filter((h) => h.key === key);
      expect({ key, seqs: ofKey.map((h) => h.seq) }).toEqual({ key, seqs: Array.from({ length: perKey }, (_, i) => i + 1) });
      expect(new Set(ofKey.map((h) => h.partition)).size).toBe(1);
    }
    expect(messages.filter((m) => m.payload.seq % 5 === 0).every((m) => (tries.get(m.messageId) ?? 0) >= 2)).toBe(true);
    expect(await deadLetterCount()).toBe(0);
  });

  it("hands the batches of partitions fetched together to the handler in one call; a poison message in one partition's part fails none of the others", async () => {
    await createTopics();
    const keys = ['call-a', 'call-b', 'call-c', 'call-d', 'call-e', 'call-f'];
    const messages = [1, 2, 3].flatMap((seq) =>
      keys.map((key) => probe(key, { seq, poison: key === 'call-a' && seq === 1 })),
    );
    const poison = messages.find((m) => m.payload.poison)!;
    // One request before the consumer runs: its first fetch brings every partition's records at once.
    await producer.send({ topic: namespace.physical(TOPIC), messages: messages.map(encodeEnvelope) });

    const calls: Handled[][] = [];
    const handled: Handled[] = [];
    await startConsumer(async (batch) => {
      calls.push(batch.map(toHandled));
      const bad = batch.find((m) => m.envelope.payload.poison);
      if (bad) throw new ProbeRejected(`poison pill ${bad.envelope.messageId}`);
      handled.push(...batch.map(toHandled));
    });

    await eventually('every good message handled', () => handled.length >= messages.length - 1);
    const partitionsOf = (call: Handled[]) => new Set(call.map((h) => h.partition)).size;
    expect(partitionsOf(calls[0])).toBeGreaterThan(1);
    expect(calls[0]).toHaveLength(messages.length);
    // Each committed offset reaches its partition's end, the dead letter's partition included.
    const ends = await withAdmin((admin) => admin.fetchTopicOffsets(namespace.physical(TOPIC)));
    expect(ends.filter((p) => p.high !== '0').length).toBeGreaterThan(1);
    for (const { partition, high } of ends.filter((p) => p.high !== '0'))
      await eventually(
        `partition ${partition} committed to its end`,
        async () => (await committedOffset(partition)) === high,
      );
    await pause(300);
    expect(handled).toHaveLength(messages.length - 1);
    expect(new Set(handled.map((h) => h.messageId)).size).toBe(handled.length);
    for (const key of keys)
      expect({ key, seqs: handled.filter((h) => h.key === key).map((h) => h.seq) }).toEqual({
        key,
        seqs: key === 'call-a' ? [2, 3] : [1, 2, 3],
      });
    expect(calls.filter((c) => c.length === 1 && c[0].messageId === poison.messageId)).toHaveLength(RETRY.poisonAttempts);
    // After the joint call failed, the poison message was only ever handed over with its own partition's records.
    const poisonPartition = handled.find((h) => h.key === 'call-a')!.partition;
    const withPoison = calls.slice(1).filter((c) => c.some((h) => h.messageId === poison.messageId));
    expect(withPoison.map((c) => [...new Set(c.map((h) => h.partition))])).toEqual(withPoison.map(() => [poisonPartition]));
    expect(await deadLetterCount()).toBe(1);
  });

  it('with a fetch hold, gathers records produced one by one while the broker holds the fetch into a few handler calls', async () => {
    await createTopics();
    const calls: Handled[][] = [];
    await startConsumer(
      async (batch) => {
        calls.push(batch.map(toHandled));
      },
      { fetch: { minBytes: 1024 * 1024, maxWaitMs: 2_000 } },
    );
    const messages = Array.from({ length: 20 }, (_, seq) => probe(`call-${seq % 4}`, { seq }));
    // One produce request each, all well within one hold (without it, each would answer a fetch of its own).
    await send(messages.map(encodeEnvelope));

    await eventually('every message handled', () => calls.flat().length >= messages.length);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(new Set(calls.flat().map((h) => h.messageId)).size).toBe(messages.length);
  });
});
