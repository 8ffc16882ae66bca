import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage, logLevel, Message } from '@app/common/messaging/kafkajs';
import { ALL_TOPICS, CONSUMER_GROUPS, dlqTopic, TOPICS } from '@app/common/contracts';
import { ApiClient } from '../support/api-client';
import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { settleAndCheck } from './support/settle-and-check';

const CONSUMED: [string, string][] = [
  [TOPICS.commands, CONSUMER_GROUPS.schedulerCore],
  [TOPICS.executions, CONSUMER_GROUPS.executor],
  [TOPICS.events, CONSUMER_GROUPS.projector],
];

/**
 * Scenario 11: poison on every consumed topic (malformed JSON, an unknown type, no key and no
 * aggregateId, a 500 KB message). Each lands in its `<topic>.dlq.<group>` with its origin headers
 * and the error; no partition is blocked: normal calls submitted afterwards complete within 30 s.
 */
describe('fault: poison messages on every topic', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;
  let kafka: Kafka;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('poison');
    kafka = new Kafka({ clientId: 'faults-poison', brokers: [system.kafka.address], logLevel: logLevel.NOTHING });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('dead-letters each poison message with its origin and blocks no partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const sent: Record<string, number> = {};
    for (const [topic] of CONSUMED) {
      const messages = poison();
      sent[topic] = messages.length;
      for (const m of messages) await producer.send({ topic: `${system.topicPrefix}${topic}`, messages: [m] });
    }
    await producer.disconnect();
    const poisonedAt = Date.now();

    // Normal calls right behind the poison, spread over every partition.
    const api = new ApiClient(system.baseUrl, FAULTS_API_KEY);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push((await api.submit({ target: { method: 'POST', url: `${targetUrl}/after-poison/${i}` } })).body.data.id);
    const done = await Promise.all(
      ids.map((id) =>
        api
          .waitForStatus(id, ['Succeeded', 'Failed'], 30_000)
          .then(() => Date.now() - poisonedAt)
          .catch(() => -1),
      ),
    );

    const dlq: Record<string, KafkaMessage[]> = {};
    for (const [topic, group] of CONSUMED)
      dlq[topic] = await readAll(kafka, `${system.topicPrefix}${dlqTopic(topic, group)}`, sent[topic], 20_000);
    const headers = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
    const withOrigin = Object.fromEntries(
      Object.entries(dlq).map(([topic, ms]) => [
        topic,
        ms.filter(
          (m) =>
            headers(m, 'dlq.original.topic') === `${system.topicPrefix}${topic}` &&
            headers(m, 'dlq.original.partition') !== undefined &&
            headers(m, 'dlq.original.offset') !== undefined &&
            (headers(m, 'dlq.error.message') ?? '') !== '',
        ).length,
      ]),
    );

    const outcome = await settleAndCheck({
      scenario: '11-poison-messages',
      system,
      accepted: ids,
      target,
      faultEndedAt: poisonedAt,
      allowDlq: ALL_TOPICS.filter((t) => t.includes('.dlq.')),
      figures: {
        poisonSent: sent,
        dlqReceived: Object.fromEntries(Object.entries(dlq).map(([t, ms]) => [t, ms.length])),
        dlqWithOriginHeaders: withOrigin,
        dlqErrors: Object.values(dlq)
          .flat()
          .map((m) => headers(m, 'dlq.error.message')?.slice(0, 120)),
        normalCallsAfterPoison: ids.length,
        slowestNormalCallMs: Math.max(...done),
        normalCallsNotDone: done.filter((d) => d < 0).length,
      },
    });

    expect(done.filter((d) => d < 0)).toEqual([]);
    expect(outcome.violations).toEqual([]);
    for (const [topic] of CONSUMED) {
      expect({ topic, dlq: dlq[topic].length, withOrigin: withOrigin[topic] }).toEqual({
        topic,
        dlq: sent[topic],
        withOrigin: sent[topic],
      });
    }
  });
});

function poison(): Message[] {
  const envelope = (extra: Record<string, unknown>) => ({
    messageId: randomUUID(),
    tenantId: 'tenant-a',
    aggregateType: 'ServiceCall',
    aggregateId: randomUUID(),
    type: 'NoSuchMessageType',
    schemaVersion: 1,
    timestamp: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    payload: {},
    ...extra,
  });
  const unknown = envelope({});
  const keyless = envelope({ aggregateId: undefined, type: 'SubmitServiceCall' });
  const large = envelope({ padding: 'x'.repeat(500_000) });
  return [
    { key: randomUUID(), value: '{"this is": not json' },
    { key: unknown.aggregateId, value: JSON.stringify(unknown) },
    { key: null, value: JSON.stringify(keyless) },
    { key: large.aggregateId, value: JSON.stringify(large) },
  ];
}

async function readAll(kafka: Kafka, topic: string, expected: number, timeoutMs: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `faults-reader-${randomUUID()}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (messages.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return messages;
}
