import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, Producer } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource } from 'typeorm';
import {
  EVENT_SCHEMA_VERSION,
  ExecutionResult,
  newEnvelope,
  ServiceCallEvent,
  ServiceCallEventMessage,
  TOPICS,
} from '@app/common/contracts';
import { createDataSource } from '@app/common/database';
import { createKafka, createProducer, encodeEnvelope } from '@app/common/messaging';
import { createTestDatabase, testBrokers } from '../../../test/support/test-database';
import { freePort } from '../../../tools/infra/free-port';
import { projectRoot } from '../../../tools/infra/project-root';
import { migrateAll } from '../../../tools/migrate-all';
import { RunningApp, startApp, stopApp, waitReady } from '../../../tools/stack/app-processes';
import { PROJECTOR_SCHEMA as S } from '../src/projector.schema';
import { SERVICE_CALLS_PROJECTION, ServiceCallProjectionHandler } from '../src/service-calls/service-call-projection.handler';

const TENANT = 'tenant-a';
const silent = pino({ level: 'silent' }) as unknown as PinoLogger;
const result: ExecutionResult = { statusCode: 200, latencyMs: 42, responseSnippet: 'ok', responseHeaders: { 'content-type': 'text/plain' }, error: null };
const failure: ExecutionResult = { statusCode: 503, latencyMs: 7, responseSnippet: 'down', responseHeaders: {}, error: { code: 'NON_2XX_STATUS', message: 'status 503' } };

async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await probe();
    if (outcome !== undefined && outcome !== false) return outcome;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The events of one call, numbered 1.. like its stream, with distinct timestamps so updated_at shows which one was applied last. */
function callStream(serviceCallId: string, events: ServiceCallEvent[]): ServiceCallEventMessage[] {
  const base = Date.parse('2026-11-01T10:00:00.000Z');
  return events.map((event, i) => ({
    ...newEnvelope({
      tenantId: TENANT, serviceCallId, type: event.type, payload: event.data, schemaVersion: EVENT_SCHEMA_VERSION,
      cause: { messageId: randomUUID(), correlationId: randomUUID() }, timestamp: new Date(base + i * 1_000),
    }),
    version: i + 1,
  }));
}

const submitted = (serviceCallId: string, dueAt: string | null = null): ServiceCallEvent => ({
  type: 'ServiceCallSubmitted',
  data: {
    serviceCallId, tenantId: TENANT, target: { method: 'POST', url: 'https://example.com/hook?token=[REDACTED]', headers: { authorization: '[REDACTED]' } },
    sealedTarget: { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' }, dueAt, tags: ['billing'], timeoutMs: 5_000, submittedAt: '2026-11-01T09:59:59.000Z',
  },
});
const scheduled = (dueAt: string): ServiceCallEvent => ({ type: 'ServiceCallScheduled', data: { dueAt } });
const requested = (): ServiceCallEvent => ({ type: 'ExecutionRequested', data: { attempt: 1, requestedAt: '2026-11-01T10:00:01.000Z' } });
const succeeded = (): ServiceCallEvent => ({
  type: 'ServiceCallSucceeded', data: { attempt: 1, startedAt: '2026-11-01T10:00:01.500Z', finishedAt: '2026-11-01T10:00:01.542Z', result },
});
const failed = (): ServiceCallEvent => ({
  type: 'ServiceCallFailed', data: { attempt: 1, startedAt: '2026-11-01T10:00:02.000Z', finishedAt: '2026-11-01T10:00:02.007Z', result: failure },
});

describe('service call projection (real Postgres)', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let handler: ServiceCallProjectionHandler;
  const topic = TOPICS.events;

  const openDataSource = () => createDataSource({ url: databaseUrl, schema: S, migrations: [], applicationName: 'projection-it' }).initialize();

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('projection');
    await migrateAll(databaseUrl);
    dataSource = await openDataSource();
    handler = new ServiceCallProjectionHandler(dataSource, silent);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const row = async (id: string) => {
    const rows = await dataSource.query(`SELECT * FROM "${S}".service_calls WHERE tenant_id = $1 AND id = $2`, [TENANT, id]);
    return rows[0];
  };
  const checkpoint = async (partition: number): Promise<string | undefined> => {
    const rows = await dataSource.query(`SELECT "offset" FROM "${S}".checkpoints WHERE projection = $1 AND topic = $2 AND partition = $3`, [
      SERVICE_CALLS_PROJECTION, topic, partition,
    ]);
    return rows[0]?.offset;
  };

  it('moves the read model through the events of a call and checkpoints each record', async () => {
    const id = randomUUID();
    const [a, b, c] = callStream(id, [submitted(id), requested(), succeeded()]);
    await handler.handle(a, { topic, partition: 0, offset: '0' });
    expect(await row(id)).toMatchObject({ status: 'Accepted', version: 1, attempts: 0, url: 'https://example.com/hook?token=[REDACTED]' });
    await handler.handle(b, { topic, partition: 0, offset: '1' });
    expect(await row(id)).toMatchObject({ status: 'Running', version: 2, attempts: 1 });
    await handler.handle(c, { topic, partition: 0, offset: '2' });
    const done = await row(id);
    expect(done).toMatchObject({ status: 'Succeeded', version: 3, attempts: 1, result, tags: ['billing'], timeout_ms: 5_000 });
    expect(done.finished_at.toISOString()).toBe('2026-11-01T10:00:01.542Z');
    expect(done.updated_at.toISOString()).toBe(c.timestamp);
    expect(await checkpoint(0)).toBe('2');
  });

  it('changes nothing when a record is redelivered or an event is republished at a new offset, and never moves the checkpoint back', async () => {
    const id = randomUUID();
    const [a, b, c] = callStream(id, [submitted(id), requested(), succeeded()]);
    for (const [message, offset] of [[a, '10'], [b, '11'], [c, '12']] as const) await handler.handle(message, { topic, partition: 1, offset });
    const applied = await row(id);

    await handler.handle(b, { topic, partition: 1, offset: '11' }); // the same record again
    expect(await row(id)).toEqual(applied);
    expect(await checkpoint(1)).toBe('12');

    await handler.handle(c, { topic, partition: 1, offset: '13' }); // the outbox republished the newest event
    await handler.handle(b, { topic, partition: 1, offset: '14' }); // ...and an older one
    expect(await row(id)).toEqual(applied);
    expect(await checkpoint(1)).toBe('14');

    // A different message carrying a version the view already has is not applied either.
    const [, again] = callStream(id, [submitted(id), failed()]);
    await handler.handle(again, { topic, partition: 1, offset: '15' });
    expect(await row(id)).toEqual(applied);

    await handler.handle(a, { topic, partition: 1, offset: '10' });
    expect(await checkpoint(1)).toBe('15');
    const [{ claims }] = await dataSource.query(`SELECT count(*)::int AS claims FROM "${S}".inbox WHERE message_id = ANY($1)`, [[a, b, c].map((m) => m.messageId)]);
    expect(claims).toBe(3);
  });

  it('after a restart, skips records at or before the checkpoint and applies the ones after it', async () => {
    const id = randomUUID();
    const stream = callStream(id, [submitted(id, '2026-11-02T00:00:00.000Z'), scheduled('2026-11-02T00:00:00.000Z'), requested(), failed()]);
    await handler.handle(stream[0], { topic, partition: 2, offset: '100' });
    await handler.handle(stream[1], { topic, partition: 2, offset: '101' });
    const beforeRestart = await row(id);
    expect(beforeRestart).toMatchObject({ status: 'Scheduled', version: 2 });

    // A new process: its own pool and handler, no memory of what the old one did. Kafka lost the
    // old commits, so the group starts again from an earlier offset.
    const restarted = await openDataSource();
    try {
      const fresh = new ServiceCallProjectionHandler(restarted, silent);
      await fresh.handle(stream[0], { topic, partition: 2, offset: '100' });
      await fresh.handle(stream[1], { topic, partition: 2, offset: '101' });
      expect(await row(id)).toEqual(beforeRestart);
      expect(await checkpoint(2)).toBe('101');

      await fresh.handle(stream[2], { topic, partition: 2, offset: '102' });
      await fresh.handle(stream[3], { topic, partition: 2, offset: '103' });
      expect(await row(id)).toMatchObject({ status: 'Failed', version: 4, attempts: 1, result: failure });
      expect(await checkpoint(2)).toBe('103');
    } finally {
      await restarted.destroy();
    }
  });

  it('keeps a checkpoint per partition: a low offset on another partition is still applied', async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    await handler.handle(callStream(x, [submitted(x)])[0], { topic, partition: 3, offset: '500' });
    await handler.handle(callStream(y, [submitted(y)])[0], { topic, partition: 4, offset: '0' });
    expect(await row(y)).toMatchObject({ status: 'Accepted', version: 1 });
    expect([await checkpoint(3), await checkpoint(4)]).toEqual(['500', '0']);
  });
});

/** The compiled projector as its own process, killed with SIGKILL mid-stream and started again. */
describe('projector process (dist, real Kafka and Postgres)', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let app: RunningApp | undefined;
  const prefix = `it-projector-${randomBytes(4).toString('hex')}.`;
  const output: string[] = [];

  const start = async (): Promise<RunningApp> => {
    const port = await freePort();
    const env = {
      DATABASE_URL: databaseUrl, KAFKA_BROKERS: testBrokers(), KAFKA_TOPIC_PREFIX: prefix, KAFKA_PARTITIONS: '1', LOG_LEVEL: 'warn', PORT: String(port),
    };
    const started = startApp('projector', { env, ports: { gateway: 0, 'scheduler-core': 0, executor: 0, projector: port }, onLine: (_, line) => output.push(line) });
    await waitReady(started, 30_000);
    return started;
  };

  beforeAll(async () => {
    const entry = join(projectRoot(), 'dist/apps/projector/src/main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
    databaseUrl = await createTestDatabase('projector-process');
    kafka = createKafka('projector-it', testBrokers().split(','), pino({ level: 'silent' }));
    producer = createProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    if (app) await stopApp(app);
    await producer?.disconnect();
    await dataSource?.destroy();
  });

  it('applies every event exactly once across a SIGKILL and a restart', async () => {
    app = await start(); // migrates its schema and creates the prefixed topics
    dataSource = await createDataSource({ url: databaseUrl, schema: S, migrations: [], applicationName: 'projector-process-it' }).initialize();
    const calls = Array.from({ length: 12 }, () => randomUUID());
    const streams = calls.map((id) => callStream(id, [submitted(id), requested(), succeeded()]));
    const send = (messages: ServiceCallEventMessage[]) => producer.send({ topic: `${prefix}${TOPICS.events}`, messages: messages.map(encodeEnvelope) });
    const versions = async (): Promise<Map<string, number>> => {
      const rows: { id: string; version: number }[] = await dataSource.query(`SELECT id, version FROM "${S}".service_calls`);
      return new Map(rows.map((r) => [r.id, r.version]));
    };

    // First half: submitted and requested for every call; the process dies while the second half streams in.
    await send(streams.map((s) => s[0]));
    await send(streams.map((s) => s[1]));
    await eventually('the first half applied', async () => [...(await versions()).values()].filter((v) => v === 2).length === calls.length);
    const sent = send(streams.map((s) => s[2]));
    await eventually('some of the second half applied', async () => [...(await versions()).values()].some((v) => v === 3), 10_000);
    await stopApp(app, 'SIGKILL');
    await sent;

    app = await start();
    await eventually('every call projected to its last event', async () => [...(await versions()).values()].filter((v) => v === 3).length === calls.length, 40_000);

    const rows = await dataSource.query(`SELECT id, status, version, attempts FROM "${S}".service_calls ORDER BY id`);
    expect(rows).toEqual(calls.map((id) => ({ id, status: 'Succeeded', version: 3, attempts: 1 })).sort((p, q) => p.id.localeCompare(q.id)));
    const checkpoints = await dataSource.query(`SELECT topic, partition, "offset" FROM "${S}".checkpoints`);
    expect(checkpoints).toEqual([{ topic: TOPICS.events, partition: 0, offset: String(calls.length * 3 - 1) }]);
    const [{ claims }] = await dataSource.query(`SELECT count(*)::int AS claims FROM "${S}".inbox`);
    expect(claims).toBe(calls.length * 3);
    expect(output.filter((line) => line.includes('message sent to DLQ'))).toEqual([]);
  }, 90_000);
});
