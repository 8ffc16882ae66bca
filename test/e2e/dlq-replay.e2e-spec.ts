import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from '@app/common/messaging/kafkajs';
import pino from 'pino';
import {
  COMMAND_SCHEMA_VERSION,
  newEnvelope,
  SubmitServiceCallPayload,
  TOPICS,
  CONSUMER_GROUPS,
  dlqTopic,
} from '@app/common/contracts';
import { createKafka, createProducer, deadLetterMessage, encodeEnvelope, TopicNamespace } from '@app/common/messaging';
import { parseEncryptionKey, TargetSealer } from '@app/common/secrets';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/eventually';
import { RecordingTarget } from '../support/recording-target';
import { runTool, ToolRun } from '../support/run-tool';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';

/**
 * The DLQ tool (dist/tools/dlq/main.js) against the four apps as processes, a real broker and Postgres:
 * a real poison message dead-lettered by scheduler-core, and a valid SubmitServiceCall dead-lettered
 * in the consumer's own record format; list and show them, replay, and replay again.
 */
describe('DLQ list, show and replay (e2e)', () => {
  let system: RunningSystem;
  let api: ApiClient;
  let target: RecordingTarget;
  let targetUrl: string;
  let kafka: Kafka;
  let producer: Producer;
  let ns: TopicNamespace;
  let commandsDlq: string;
  const serviceCallId = randomUUID();
  const messageId = randomUUID();
  const dlq = (...args: string[]): Promise<ToolRun> => runTool('dlq/main.js', args, system.env);
  const listed = async (): Promise<any[]> => {
    const run = await dlq('list', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };
  const highWatermarks = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).map((p) => p.high).join(',');
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 200, body: 'ok' }));
    targetUrl = await target.start();
    system = await startRunningSystem('e2e-dlq');
    api = new ApiClient(system.baseUrl, TEST_API_KEY);
    ns = new TopicNamespace(system.topicPrefix);
    commandsDlq = ns.physical(dlqTopic(TOPICS.commands, CONSUMER_GROUPS.schedulerCore));
    kafka = createKafka('dlq-e2e', system.env.KAFKA_BROKERS.split(','), pino({ level: 'warn' }));
    producer = createProducer(kafka);
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
    await target?.stop();
  });

  it('lists a poison message that scheduler-core dead-lettered, with its origin and error', async () => {
    await producer.send({
      topic: ns.physical(TOPICS.commands),
      messages: [{ key: 'poison-key', value: 'this is not an envelope' }],
    });
    await eventually('the poison message in the DLQ', async () => (await highWatermarks(commandsDlq)) !== '0,0,0', 30_000);

    const [poison] = await listed();
    expect(poison).toMatchObject({
      dlqTopic: commandsDlq,
      originalTopic: ns.physical(TOPICS.commands),
      group: ns.physical(CONSUMER_GROUPS.schedulerCore),
      attempts: 1,
      error: 'MalformedMessageError: message value is not JSON',
      messageId: null,
      serviceCallId: 'poison-key',
    });
    expect(poison.originalOffset).toMatch(/^\d+$/);
    expect(new Date(poison.failedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const text = await dlq('list', '--topic', commandsDlq);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(poison.dlqRecord);
    expect(text.stdout).toContain('MalformedMessageError: message value is not JSON');
    expect(text.stdout).toContain('1 DLQ record(s)');
  });

  it('lists and shows a dead-lettered SubmitServiceCall whole', async () => {
    await producer.send({ topic: commandsDlq, messages: [deadLetteredSubmit()] });
    const records = await eventually(
      'two DLQ records',
      async () => {
        const all = await listed();
        return all.length === 2 ? all : undefined;
      },
      30_000,
    );
    const submit = records.find((r) => r.messageId === messageId);
    expect(submit).toMatchObject({
      type: 'SubmitServiceCall',
      serviceCallId,
      attempts: 3,
      error: 'handler failed three times',
      originalOffset: '41',
    });

    const shown = await dlq('show', submit.dlqRecord);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`record:  ${submit.dlqRecord}`);
    expect(shown.stdout).toMatch(/dlq\.consumer\.group\s+\S+scheduler-core/);
    expect(shown.stdout).toContain(`"serviceCallId": "${serviceCallId}"`);
    expect(shown.stdout).toContain('"type": "SubmitServiceCall"');
  });

  it('replays the SubmitServiceCall: the call runs and the target is called once', async () => {
    const submit = (await listed()).find((r) => r.messageId === messageId);
    const run = await dlq('replay', submit.dlqRecord);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`replayed ${submit.dlqRecord} -> ${ns.physical(TOPICS.commands)}`);
    const call = await api.waitForStatus(serviceCallId, ['Succeeded', 'Failed']);
    expect(call).toMatchObject({ id: serviceCallId, status: 'Succeeded', attempts: 1, tags: ['dlq'] });
    expect(target.requestsTo('/from-dlq')).toHaveLength(1);
  });

  it('replays nothing the second time, and the other record once with --all', async () => {
    const records = await listed();
    const submit = records.find((r) => r.messageId === messageId);
    const poison = records.find((r) => r.messageId === null);
    const before = await highWatermarks(ns.physical(TOPICS.commands));

    const again = await dlq('replay', submit.dlqRecord);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already replayed ${submit.dlqRecord}`);
    expect(again.stdout).toContain('0 replayed, 1 already replayed');
    expect(await highWatermarks(ns.physical(TOPICS.commands))).toBe(before);

    const all = await dlq('replay', '--all', '--topic', commandsDlq, '--json');
    expect(all.code).toBe(0);
    const report = JSON.parse(all.stdout);
    expect(report.replayed.map((r: any) => r.dlqRecord)).toEqual([poison.dlqRecord]);
    expect(report.alreadyReplayed.map((r: any) => r.ref)).toEqual([submit.dlqRecord]);

    // Still poison: scheduler-core dead-letters it again, as a new record that says where it was replayed from.
    const back = await eventually(
      'the replayed poison back in the DLQ',
      async () => (await listed()).find((r) => r.dlqRecord !== poison.dlqRecord && r.messageId === null),
      30_000,
    );
    const shown = await dlq('show', back.dlqRecord);
    expect(shown.stdout).toMatch(new RegExp(`dlq\\.replayed\\.from\\s+${poison.dlqRecord.replace(/\./g, '\\.')}`));

    const third = await dlq('replay', '--all', '--topic', commandsDlq, '--json');
    expect(
      JSON.parse(third.stdout)
        .alreadyReplayed.map((r: any) => r.ref)
        .sort(),
    ).toEqual([poison.dlqRecord, submit.dlqRecord].sort());
    expect(target.requestsTo('/from-dlq')).toHaveLength(1);
    expect((await api.get(serviceCallId)).body.data).toMatchObject({ status: 'Succeeded', attempts: 1 });
  });

  it('even a replay the log missed (a crash between send and log) runs nothing twice: scheduler-core dedupes by messageId', async () => {
    const submit = (await listed()).find((r) => r.messageId === messageId);
    const resend = deadLetteredSubmit();
    const headers = Object.fromEntries(Object.entries(resend.headers!).filter(([k]) => !k.startsWith('dlq.')));
    await producer.send({
      topic: ns.physical(TOPICS.commands),
      messages: [{ key: resend.key, value: resend.value, headers: { ...headers, 'dlq.replayed.from': submit.dlqRecord } }],
    });
    await untilGroupCaughtUp(ns.physical(CONSUMER_GROUPS.schedulerCore), ns.physical(TOPICS.commands));
    expect(target.requestsTo('/from-dlq')).toHaveLength(1);
  });

  it('refuses bad command lines with one line and exit 2, and unknown records with exit 1', async () => {
    const before = await highWatermarks(ns.physical(TOPICS.commands));
    const cases: [string[], number, RegExp][] = [
      [['show', 'nope'], 2, /^dlq: "nope" is not <dlq-topic>:<partition>:<offset>/],
      [['replay', 'scheduler.unknown.dlq.x:0:0'], 2, /is not a DLQ topic here/],
      [['replay'], 2, /needs <dlq-topic>:<partition>:<offset> or --all/],
      [['explode'], 2, /unknown command "explode"/],
      [['show', `${commandsDlq}:0:999999`], 1, /^dlq: no DLQ record at /],
    ];
    for (const [args, code, message] of cases) {
      const run = await dlq(...args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code, stdout: '' });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const noBrokers = await runTool('dlq/main.js', ['list'], { ...system.env, KAFKA_BROKERS: '' });
    expect(noBrokers).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^dlq: configuration error: KAFKA_BROKERS is not set/),
    });
    expect(await highWatermarks(ns.physical(TOPICS.commands))).toBe(before);
  });

  it('leaves no consumer group of its own behind', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.filter((g) => g.groupId.includes('dlq-tool-'))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  /** A valid SubmitServiceCall, sealed with the system's key, in the DLQ record format the consumer writes. */
  function deadLetteredSubmit() {
    const request = {
      method: 'POST' as const,
      url: `${targetUrl}/from-dlq`,
      headers: { 'content-type': 'text/plain' },
      body: 'replayed',
    };
    const payload: SubmitServiceCallPayload = {
      serviceCallId,
      target: { method: request.method, url: request.url, headers: request.headers },
      sealedTarget: new TargetSealer(parseEncryptionKey(system.env.SECRETS_ENCRYPTION_KEY)).seal(request),
      dueAt: null,
      tags: ['dlq'],
      timeoutMs: 5_000,
      submittedAt: new Date().toISOString(),
    };
    const envelope = {
      ...newEnvelope({
        type: 'SubmitServiceCall',
        tenantId: 'tenant-a',
        serviceCallId,
        payload,
        schemaVersion: COMMAND_SCHEMA_VERSION,
        cause: { messageId: randomUUID(), correlationId: 'dlq-e2e' },
        timestamp: new Date(),
      }),
      messageId,
    };
    const original = encodeEnvelope(envelope);
    const headers = Object.fromEntries(Object.entries(original.headers!).map(([k, v]) => [k, Buffer.from(String(v))]));
    return deadLetterMessage({
      topic: ns.physical(TOPICS.commands),
      partition: 0,
      group: ns.physical(CONSUMER_GROUPS.schedulerCore),
      attempts: 3,
      error: new Error('handler failed three times'),
      message: {
        key: Buffer.from(serviceCallId),
        value: Buffer.from(String(original.value)),
        headers,
        offset: '41',
        timestamp: String(Date.now()),
        attributes: 0,
      },
    });
  }

  async function untilGroupCaughtUp(groupId: string, topic: string): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
      await eventually(
        `${groupId} caught up on ${topic}`,
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return committed.partitions.every((p) =>
            p.offset !== '-1' ? BigInt(p.offset) >= BigInt(ends.get(p.partition)!) : ends.get(p.partition) === '0',
          );
        },
        30_000,
      );
    } finally {
      await admin.disconnect();
    }
  }
});
