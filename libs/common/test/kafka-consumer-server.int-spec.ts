import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, DynamicModule, Inject, INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { IHeaders, Kafka, Message, Producer } from 'kafkajs';
import pino from 'pino';
import { dlqTopic, Envelope } from '@app/common/contracts';
import {
  createKafka,
  createProducer,
  encodeEnvelope,
  headerText,
  KafkaConsumerServer,
  KafkaHandlerErrorFilter,
  KafkaMessageContext,
  RetryPolicy,
  TopicNamespace,
} from '@app/common/messaging';
import { testBrokers } from '../../../test/support/test-database';
import { eventually } from '../../../test/support/eventually';

const log = pino({ level: process.env.SCS_TEST_VERBOSE ? 'debug' : 'silent' });
const TOPIC = 'probe.v1';
const GROUP = 'probe-group';
const PARTITIONS = 3;
const RETRY: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 50 };
const HANDLE = Symbol('handle');

type Handle = (envelope: Envelope<'Probe', ProbePayload>, context: KafkaMessageContext) => Promise<void>;

interface ProbePayload {
  readonly seq: number;
  readonly poison?: boolean;
}

/** Bound the way the apps bind their consumer controllers. */
@Controller()
@UseFilters(KafkaHandlerErrorFilter)
class ProbeController {
  constructor(@Inject(HANDLE) private readonly handle: Handle) {}

  @EventPattern(TOPIC)
  async onProbe(@Payload() envelope: Envelope<'Probe', ProbePayload>, @Ctx() context: KafkaMessageContext): Promise<void> {
    await this.handle(envelope, context);
  }
}

@Module({})
class ProbeModule {
  static with(handle: Handle): DynamicModule {
    return { module: ProbeModule, controllers: [ProbeController], providers: [{ provide: HANDLE, useValue: handle }] };
  }
}

function probe(key: string, payload: ProbePayload): Envelope<'Probe', ProbePayload> {
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

interface Handled {
  readonly messageId: string;
  readonly key: string;
  readonly seq: number;
  readonly partition: number;
  readonly offset: string;
  readonly attempt: number;
}

interface DeadLetter {
  readonly key: string | undefined;
  readonly value: string;
  readonly headers: IHeaders;
}

describe('KafkaConsumerServer (real Kafka, Nest microservice)', () => {
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

  async function startConsumer(handle: Handle, options: { sessionTimeoutMs?: number } = {}): Promise<KafkaConsumerServer> {
    const server = new KafkaConsumerServer({
      kafka,
      log,
      namespace,
      groupId: GROUP,
      topics: [TOPIC],
      topicsToCreate: [TOPIC, dlqTopic(TOPIC, GROUP)],
      partitions: PARTITIONS,
      retryPolicy: RETRY,
      sessionTimeoutMs: options.sessionTimeoutMs,
      onCrash: (error) => crashes.push(error),
    });
    const app: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(ProbeModule.with(handle), { strategy: server, logger: false });
    await app.listen();
    cleanups.push(() => app.close());
    await eventually('the consumer to join its group', () => server.isReady);
    return server;
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

  async function committedOffset(partition: number): Promise<string> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: namespace.physical(GROUP), topics: [namespace.physical(TOPIC)] });
      return topic.partitions.find((p) => p.partition === partition)!.offset;
    } finally {
      await admin.disconnect();
    }
  }

  const record = (handled: Handled[], envelope: Envelope<'Probe', ProbePayload>, context: KafkaMessageContext) =>
    handled.push({
      messageId: envelope.messageId,
      key: envelope.aggregateId,
      seq: envelope.payload.seq,
      partition: context.partition,
      offset: context.offset,
      attempt: context.deliveryAttempt,
    });

  it('dead-letters a poison message after the bounded retries, and an undecodable one at once, then handles the rest of the partition', async () => {
    const attempts = new Map<string, number[]>();
    const handled: Handled[] = [];
    await startConsumer(async (envelope, context) => {
      attempts.set(envelope.messageId, [...(attempts.get(envelope.messageId) ?? []), context.deliveryAttempt]);
      if (envelope.payload.poison) throw new Error(`poison pill ${envelope.messageId}`);
      record(handled, envelope, context);
    });
    const letters = await readDeadLetters();

    const key = 'call-poison';
    const poison = probe(key, { seq: 2, poison: true });
    const good = [probe(key, { seq: 1 }), probe(key, { seq: 4 }), probe(key, { seq: 5 })];
    const notJson: Message = { key, value: 'this is {not json', headers: { messageId: 'not-json-1' } };
    const positions = await send([encodeEnvelope(good[0]), encodeEnvelope(poison), notJson, encodeEnvelope(good[1]), encodeEnvelope(good[2])]);
    expect(new Set(positions.map((p) => p.partition)).size).toBe(1);
    const { partition } = positions[0];

    await eventually('the later messages of the partition', () => handled.length >= 3);
    await eventually('two dead letters', () => letters.length >= 2);
    expect(handled.map((h) => h.seq)).toEqual([1, 4, 5]);
    expect(attempts.get(poison.messageId)).toEqual([1, 2, 3]);

    const [poisonLetter, notJsonLetter] = letters;
    const header = (letter: DeadLetter, name: string) => headerText(letter.headers, name);
    expect(poisonLetter.key).toBe(key);
    expect(poisonLetter.value).toBe(encodeEnvelope(poison).value);
    expect(header(poisonLetter, 'messageId')).toBe(poison.messageId);
    expect(header(poisonLetter, 'dlq.original.topic')).toBe(namespace.physical(TOPIC));
    expect(header(poisonLetter, 'dlq.original.partition')).toBe(String(partition));
    expect(header(poisonLetter, 'dlq.original.offset')).toBe(positions[1].offset);
    expect(header(poisonLetter, 'dlq.consumer.group')).toBe(namespace.physical(GROUP));
    expect(header(poisonLetter, 'dlq.attempts')).toBe('3');
    expect(header(poisonLetter, 'dlq.error.message')).toBe(`poison pill ${poison.messageId}`);

    expect(notJsonLetter.value).toBe('this is {not json');
    expect(header(notJsonLetter, 'dlq.original.offset')).toBe(positions[2].offset);
    expect(header(notJsonLetter, 'dlq.original.partition')).toBe(String(partition));
    expect(header(notJsonLetter, 'dlq.error.name')).toBe('MalformedMessageError');
    expect(header(notJsonLetter, 'dlq.error.message')).toBe('message value is not JSON');

    // Everything, dead letters included, is behind the group's committed offset.
    await eventually('the offset after the last message committed', async () => (await committedOffset(partition)) === String(Number(positions[4].offset) + 1));
  });

  it('commits an offset only after its handler finished, so a consumer that dies mid-message has it redelivered', async () => {
    const sessionTimeoutMs = 6_000;
    const key = 'call-crash';
    const [first, stuck, after] = [probe(key, { seq: 1 }), probe(key, { seq: 2 }), probe(key, { seq: 3 })];
    const handledByFirst: Handled[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    await startConsumer(async (envelope, context) => {
      if (envelope.messageId === stuck.messageId) {
        record(handledByFirst, envelope, context);
        await gate; // a process that hangs, then dies, before finishing this message
        return;
      }
      record(handledByFirst, envelope, context);
    }, { sessionTimeoutMs });
    cleanups.push(async () => release()); // runs before the first consumer is closed

    const positions = await send([encodeEnvelope(first), encodeEnvelope(stuck), encodeEnvelope(after)]);
    const { partition } = positions[0];
    await eventually('the first consumer to start on the stuck message', () => handledByFirst.some((h) => h.messageId === stuck.messageId));
    // The message before it is committed; the stuck one is not, however long it runs.
    await eventually('the first message committed', async () => (await committedOffset(partition)) === positions[1].offset);
    await new Promise((r) => setTimeout(r, 500));
    expect(await committedOffset(partition)).toBe(positions[1].offset);
    expect(handledByFirst.map((h) => h.seq)).toEqual([1, 2]);

    // A second instance in the same group takes over once the silent member's session expires.
    const handledBySecond: Handled[] = [];
    await startConsumer(async (envelope, context) => {
      record(handledBySecond, envelope, context);
    }, { sessionTimeoutMs });
    await eventually('the second consumer to handle the rest', () => handledBySecond.length >= 2, 30_000);
    expect(handledBySecond.map((h) => [h.messageId, h.offset])).toEqual([
      [stuck.messageId, positions[1].offset],
      [after.messageId, positions[2].offset],
    ]);
    expect(handledByFirst.map((h) => h.seq)).toEqual([1, 2]);
    await eventually('the redelivered messages committed', async () => (await committedOffset(partition)) === String(Number(positions[2].offset) + 1));
  }, 60_000);

  it('handles each key in the order it was produced, retries included, while partitions run concurrently', async () => {
    const keys = ['call-a', 'call-b', 'call-c', 'call-d', 'call-e', 'call-f'];
    const handled: Handled[] = [];
    const failedOnce = new Set<string>();
    await startConsumer(async (envelope, context) => {
      await new Promise((r) => setTimeout(r, envelope.payload.seq % 3));
      // Every fifth message fails its first attempt: the retry must happen before the next message of the key.
      if (envelope.payload.seq % 5 === 0 && !failedOnce.has(envelope.messageId)) {
        failedOnce.add(envelope.messageId);
        throw new Error('transient');
      }
      record(handled, envelope, context);
    });
    const perKey = 25;
    const messages = Array.from({ length: perKey }, (_, seq) => keys.map((key) => probe(key, { seq: seq + 1 }))).flat();
    await producer.send({ topic: namespace.physical(TOPIC), messages: messages.map(encodeEnvelope) });

    await eventually('every message handled', () => handled.length >= messages.length);
    expect(handled).toHaveLength(messages.length);
    expect(new Set(handled.map((h) => h.partition)).size).toBeGreaterThan(1);
    for (const key of keys) {
      const ofKey = handled.filter((h) => h.key === key);
      expect({ key, seqs: ofKey.map((h) => h.seq) }).toEqual({ key, seqs: Array.from({ length: perKey }, (_, i) => i + 1) });
      expect(new Set(ofKey.map((h) => h.partition)).size).toBe(1);
    }
    expect(handled.filter((h) => h.seq % 5 === 0).every((h) => h.attempt === 2)).toBe(true);
  });
});
