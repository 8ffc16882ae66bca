import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { IHeaders, Kafka, Message, Producer } from '@app/common/messaging/kafkajs';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { ALL_TOPICS, CONSUMER_GROUPS, dlqTopic, ExecuteServiceCall, TOPICS } from '@app/common/contracts';
import { createDataSource } from '@app/common/database';
import { createKafka, createProducer, encodeEnvelope, ensureTopics } from '@app/common/messaging';
import { parseEncryptionKey, TargetSealer } from '@app/common/secrets';
import { eventually } from '../../../test/support/eventually';
import { createTestDatabase, testBrokers } from '../../../test/support/test-database';
import { freePort } from '../../../tools/infra/free-port';
import { projectRoot } from '../../../tools/infra/project-root';
import { RunningApp, startApp, stopApp, waitReady } from '../../../tools/stack/app-processes';
import { EXECUTOR_SCHEMA as S } from '../src/executor.schema';
import { executionMessage } from './execution-message';
import { HeldTarget } from './held-target';

const TENANT = 'tenant-a';
const PARTITIONS = 3;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AttemptRow {
  service_call_id: string;
  finished_at: Date | null;
  result: { statusCode: number | null; error: { code: string } | null } | null;
}

/**
 * The compiled executor as its own process with two slots (EXECUTOR_MAX_IN_FLIGHT=2), killed with
 * SIGKILL while two calls are out and more wait behind them, then started again.
 */
describe('executor process (dist, real Kafka and Postgres)', () => {
  const prefix = `it-executor-${randomBytes(4).toString('hex')}.`;
  const encryptionKey = randomBytes(32).toString('base64');
  const sealer = new TargetSealer(parseEncryptionKey(encryptionKey));
  const output: string[] = [];
  /** Keeps every request waiting until the process is killed; answers at once afterwards. */
  const target = new HeldTarget();
  let targetUrl: string;
  let databaseUrl: string;
  let kafka: Kafka;
  let producer: Producer;
  let dataSource: DataSource | undefined;
  let app: RunningApp | undefined;

  const start = async (): Promise<RunningApp> => {
    const port = await freePort();
    const started = startApp('executor', {
      env: {
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: testBrokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_PARTITIONS: String(PARTITIONS),
        SECRETS_ENCRYPTION_KEY: encryptionKey,
        EXECUTOR_ALLOW_PRIVATE_TARGETS: 'true',
        EXECUTOR_MAX_IN_FLIGHT: '2',
        LOG_LEVEL: 'warn',
        PORT: String(port),
      },
      ports: { gateway: 0, 'scheduler-core': 0, executor: port, projector: 0 },
      onLine: (_, line) => output.push(line),
    });
    await waitReady(started, 30_000);
    return started;
  };
  const running = async (): Promise<RunningApp> => {
    if (!app || app.process.exitCode !== null || app.process.signalCode !== null) app = await start();
    return app;
  };
  const database = async (): Promise<DataSource> =>
    (dataSource ??= await createDataSource({
      url: databaseUrl,
      schema: S,
      migrations: [],
      applicationName: 'executor-process-it',
    }).initialize());
  const attempts = async (ids: readonly string[]): Promise<AttemptRow[]> =>
    (await database()).query(
      `SELECT service_call_id, finished_at, result FROM "${S}".attempts WHERE tenant_id = $1 AND service_call_id = ANY($2::text[])`,
      [TENANT, ids],
    );

  const execution = (timeoutMs: number) => executionMessage(sealer, TENANT, targetUrl, timeoutMs);
  const sendToExecutions = (messages: readonly Message[]) =>
    producer.send({ topic: `${prefix}${TOPICS.executions}`, messages: [...messages] });

  beforeAll(async () => {
    const entry = join(projectRoot(), 'dist/apps/executor/src/main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
    databaseUrl = await createTestDatabase('executor_process');
    targetUrl = await target.start();
    kafka = createKafka('executor-it', testBrokers().split(','), pino({ level: 'silent' }));
    await ensureTopics(
      kafka,
      ALL_TOPICS.map((t) => `${prefix}${t}`),
      PARTITIONS,
    );
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    if (app) await stopApp(app);
    await producer?.disconnect();
    await dataSource?.destroy();
    await target.stop();
  });

  it('journals only the calls that took a slot, and after a SIGKILL runs the queued ones once instead of declaring them interrupted', async () => {
    // Two executions per partition, all waiting when the process starts: it is handed more than its two slots at once.
    const messages = Array.from({ length: 2 * PARTITIONS }, () => execution(5_000));
    await sendToExecutions(messages.map((m, i) => ({ ...encodeEnvelope(m), partition: i % PARTITIONS })));
    const ids = messages.map((m) => m.payload.serviceCallId);
    const pathOf = (id: string) => `/call/${id}`;

    app = await start();
    await eventually('two calls at the target', () => target.received.length >= 2, 30_000);
    await pause(500); // time enough for anything else to be journalled or sent, if it were going to be
    const sentBeforeKill = ids.filter((id) => target.count(pathOf(id)) > 0);
    expect(sentBeforeKill).toHaveLength(2);
    expect((await attempts(ids)).map((r) => r.service_call_id).sort()).toEqual([...sentBeforeKill].sort());

    await stopApp(app, 'SIGKILL');
    target.release();
    app = await start();
    const rows = await eventually(
      'every attempt finished',
      async () => {
        const found = await attempts(ids);
        return found.length === ids.length && found.every((r) => r.finished_at !== null) && found;
      },
      60_000,
    );

    // Each call reached the target once; only the two that were out when the process died are interrupted.
    expect(ids.map((id) => target.count(pathOf(id)))).toEqual(ids.map(() => 1));
    const outcome = new Map(rows.map((r) => [r.service_call_id, r.result?.error?.code ?? r.result?.statusCode]));
    expect(ids.map((id) => [id, outcome.get(id)])).toEqual(
      ids.map((id) => [id, sentBeforeKill.includes(id) ? 'EXECUTION_INTERRUPTED' : 200]),
    );
    expect(output.filter((line) => line.includes('message sent to DLQ'))).toEqual([]);
  }, 120_000);

  it('dead-letters a message type it does not take, naming the type, before touching the database', async () => {
    await running();
    // One type nobody knows, with no payload; one the system knows but the executor does not take, with a payload it could run.
    const unknown = { ...execution(1_000), type: 'NoSuchMessageType', payload: {} };
    const notForTheExecutor = { ...execution(1_000), type: 'RecordExecutionResult' };
    await sendToExecutions(
      [unknown, notForTheExecutor].map((m) => ({ ...encodeEnvelope(m as unknown as ExecuteServiceCall), partition: 0 })),
    );

    const dlq = await readRecords(kafka, `${prefix}${dlqTopic(TOPICS.executions, CONSUMER_GROUPS.executor)}`, 2);
    const errors = dlq.map((headers) => headers['dlq.error.message']?.toString());
    expect(errors.sort()).toEqual([
      `unknown message type "NoSuchMessageType" on ${TOPICS.executions} (expected ExecuteServiceCall)`,
      `unknown message type "RecordExecutionResult" on ${TOPICS.executions} (expected ExecuteServiceCall)`,
    ]);
    expect(await attempts([unknown.aggregateId, notForTheExecutor.aggregateId])).toEqual([]);
    expect(target.count(`/call/${notForTheExecutor.payload.serviceCallId}`)).toBe(0);
  }, 60_000);
});

/** The headers of the first `expected` records of a topic, read from the beginning by a throwaway group. */
async function readRecords(kafka: Kafka, topic: string, expected: number, timeoutMs = 30_000): Promise<IHeaders[]> {
  const consumer = kafka.consumer({ groupId: `executor-it-reader-${randomBytes(4).toString('hex')}` });
  const headers: IHeaders[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        headers.push(message.headers ?? {});
      },
    });
    await eventually(`${expected} records on ${topic}`, () => headers.length >= expected, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return headers;
}
