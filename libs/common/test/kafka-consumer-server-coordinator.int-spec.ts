import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, DynamicModule, Inject, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { Kafka, Producer } from '@app/common/messaging/kafkajs';
import pino from 'pino';
import { dlqTopic, Envelope } from '@app/common/contracts';
import {
  ConsumedMessage,
  createKafka,
  createProducer,
  encodeEnvelope,
  ensureTopics,
  KafkaConsumerServer,
  KafkaHandlerErrorFilter,
  TopicNamespace,
} from '@app/common/messaging';
import { API, BROKER_ERROR, InjectedAnswer, KafkaFaultProxy } from '../../../test/support/kafka-fault-proxy';
import { testBrokers } from '../../../test/support/test-database';
import { eventually } from '../../../test/support/eventually';

const TOPIC = 'coordinator-probe.v1';
const GROUP = 'coordinator-probe-group';
const PARTITIONS = 3;
const HANDLE = Symbol('handle');
const silent = pino({ level: 'silent' });

type ProbeEnvelope = Envelope<'Probe', { readonly seq: number }>;
type Handle = (batch: ConsumedMessage<ProbeEnvelope>[]) => Promise<void>;

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
class ProbeController {
  constructor(@Inject(HANDLE) private readonly handle: Handle) {}

  @EventPattern(TOPIC)
  async onProbe(@Payload() batch: ConsumedMessage<ProbeEnvelope>[]): Promise<void> {
    return this.handle(batch);
  }
}

@Module({})
class ProbeModule {
  static with(handle: Handle): DynamicModule {
    return { module: ProbeModule, controllers: [ProbeController], providers: [{ provide: HANDLE, useValue: handle }] };
  }
}

function probe(seq: number): ProbeEnvelope {
  return {
    messageId: randomUUID(),
    tenantId: 'tenant-it',
    aggregateType: 'ServiceCall',
    aggregateId: `call-${seq}`,
    type: 'Probe',
    schemaVersion: 1,
    timestamp: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    payload: { seq },
  };
}

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Milliseconds between successive made-up answers: how often the consumer tried again. */
const gaps = (answers: readonly InjectedAnswer[]) => answers.slice(1).map((a, i) => a.at - answers[i].at);

/**
 * The start-up race of issue 7 (defect 9): a fresh broker answers "the coordinator is loading" for a
 * while, and a retriable error that outlasts kafkajs's own retries must not end the app. A proxy in
 * front of the real broker answers the group's FindCoordinator, JoinGroup and Heartbeat requests
 * with the broker's own error codes, in the broker's wire format; the consumer is the server the
 * apps run, over the client the apps build (createKafka), pointed at the proxy.
 */
describe('KafkaConsumerServer while the group coordinator is loading (real Kafka behind a fault proxy)', () => {
  let proxy: KafkaFaultProxy;
  let direct: Kafka;
  let producer: Producer;
  let namespace: TopicNamespace;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    proxy = await KafkaFaultProxy.start(testBrokers());
    direct = createKafka('kcs-coordinator-it', testBrokers().split(','), silent);
    producer = createProducer(direct);
    await producer.connect();
  });

  beforeEach(async () => {
    namespace = new TopicNamespace(`it-coord-${randomUUID().slice(0, 8)}.`);
    await ensureTopics(direct, [namespace.physical(TOPIC), namespace.physical(dlqTopic(TOPIC, GROUP))], PARTITIONS);
  });

  afterEach(async () => {
    proxy.heal();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await proxy?.stop();
  });

  /** Starts the server as the apps do, through the proxy; resolves once Nest's listen() returned, joined or not. */
  async function startServer(handle: Handle): Promise<{ server: KafkaConsumerServer; logs: LogLine[]; crashes: Error[] }> {
    const logs: LogLine[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    const crashes: Error[] = [];
    const server = new KafkaConsumerServer({
      kafka: createKafka('kcs-coordinator', [proxy.address], log),
      log,
      namespace,
      groupId: GROUP,
      topics: [TOPIC],
      topicsToCreate: [TOPIC, dlqTopic(TOPIC, GROUP)],
      partitions: PARTITIONS,
      onCrash: (error) => crashes.push(error),
    });
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(ProbeModule.with(handle), {
      strategy: server,
      logger: false,
    });
    await app.listen();
    cleanups.push(() => app.close());
    return { server, logs, crashes };
  }

  async function send(seqs: readonly number[]): Promise<Map<string, { partition: number; offset: string }>> {
    const positions = new Map<string, { partition: number; offset: string }>();
    for (const seq of seqs) {
      const message = probe(seq);
      const [meta] = await producer.send({ topic: namespace.physical(TOPIC), messages: [encodeEnvelope(message)] });
      positions.set(message.messageId, { partition: meta.partition, offset: meta.baseOffset! });
    }
    return positions;
  }

  /** True once the group's committed offset of every partition is past the last message sent to it. */
  async function allCommitted(positions: Map<string, { partition: number; offset: string }>): Promise<boolean> {
    const admin = direct.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: namespace.physical(GROUP), topics: [namespace.physical(TOPIC)] });
      return [...positions.values()].every(
        ({ partition, offset }) => Number(topic.partitions.find((p) => p.partition === partition)!.offset) > Number(offset),
      );
    } finally {
      await admin.disconnect();
    }
  }

  it('stays up while the coordinator is loading at start and again later, retries with backoff, then handles and commits every message once', async () => {
    const handled: string[] = [];
    const first = await send([1, 2, 3, 4, 5, 6]);

    // At start: first no coordinator can be found (it is loading), then it is found but still loading the group.
    const startedAt = Date.now();
    proxy.fail(API.findCoordinator, BROKER_ERROR.coordinatorLoading);
    const { server, logs, crashes } = await startServer(async (batch) => {
      handled.push(...batch.map((m) => m.envelope.messageId));
    });
    await pause(4_000);
    proxy.heal();
    proxy.fail(API.joinGroup, BROKER_ERROR.coordinatorLoading);
    await pause(4_000);
    expect(crashes).toEqual([]);
    expect(server.isReady).toBe(false);
    expect(handled).toEqual([]);
    proxy.heal();

    await eventually('the consumer to join once the coordinator has loaded', () => server.isReady, 20_000);
    await eventually('every message handled', () => handled.length >= first.size);
    await eventually('every message committed', () => allCommitted(first));
    const atStart = [...proxy.answers(API.findCoordinator, startedAt), ...proxy.answers(API.joinGroup, startedAt)].sort(
      (a, b) => a.at - b.at,
    );
    const startGaps = gaps(atStart);

    // Later, while running: the coordinator starts a rebalance and is loading again, for longer than
    // kafkajs's own retries (8 rejoins, about 15 s with the factors it takes under NODE_ENV=test).
    const laterAt = Date.now();
    proxy.fail(API.heartbeat, BROKER_ERROR.rebalanceInProgress);
    proxy.fail(API.joinGroup, BROKER_ERROR.coordinatorLoading);
    await pause(20_000);
    proxy.heal();
    const second = await send([7, 8, 9, 10, 11, 12]);
    await eventually('the later messages handled', () => handled.length >= first.size + second.size, 30_000);
    await eventually('the later messages committed', () => allCommitted(second), 30_000);
    await pause(500);

    const ids = [...first.keys(), ...second.keys()];
    expect([...handled].sort()).toEqual([...ids].sort());
    expect(crashes).toEqual([]);
    // It really was retried: at start and later, and later beyond kafkajs's own retries (the consumer was started anew).
    expect(atStart.length).toBeGreaterThanOrEqual(3);
    expect(proxy.answers(API.joinGroup, laterAt).length).toBeGreaterThanOrEqual(3);
    const restartsLater = logs.filter((l) => Number(l.time) >= laterAt && /starting a new one/.test(l.msg));
    expect(restartsLater.length).toBeGreaterThan(0);
    // With backoff, not in a tight loop: the waits grow, and 8 s of refusals cost a handful of tries, not dozens.
    expect(Math.max(...startGaps)).toBeGreaterThanOrEqual(4 * Math.min(...startGaps));
    expect(atStart.length).toBeLessThanOrEqual(10);
    // No error-level line: the brokers were busy, nothing was wrong with this process.
    expect(logs.filter((l) => l.level >= 50 && l.kafka === undefined).map((l) => l.msg)).toEqual([]);
  }, 120_000);

  it('stops with one error line, and no retry, when the group can never be joined (authorization refused)', async () => {
    await send([1]);
    proxy.fail(API.joinGroup, BROKER_ERROR.groupAuthorizationFailed);
    const since = Date.now();
    const { server, logs, crashes } = await startServer(async () => undefined);
    await eventually('the crash to be reported', () => crashes.length > 0);
    await pause(3_000);

    expect(crashes).toHaveLength(1);
    expect(crashes[0].message).toMatch(/^Not authorized to access group/);
    expect(server.isReady).toBe(false);
    expect(proxy.answers(API.joinGroup, since)).toHaveLength(1);
    const ours = logs.filter((l) => l.level >= 50 && l.kafka === undefined);
    expect(ours.map((l) => [l.msg, l.error])).toEqual([['consumer stopped', crashes[0].message]]);
  }, 60_000);
});
