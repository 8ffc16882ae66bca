import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, Producer } from '@app/common/messaging/kafkajs';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { ExecutionResult, newEventMessage, ServiceCallEvent, ServiceCallEventMessage, TOPICS } from '@app/common/contracts';
import { createDataSource } from '@app/common/database';
import { ConsumedMessage, createKafka, createProducer, encodeEnvelope } from '@app/common/messaging';
import { callsFinished } from '@app/common/observability';
import { createTestDatabase, testBrokers } from '../../../test/support/test-database';
import { freePort } from '../../../tools/infra/free-port';
import { projectRoot } from '../../../tools/infra/project-root';
import { migrateAll } from '../../../tools/migrate-all';
import { RunningApp, startApp, stopApp, waitReady } from '../../../tools/stack/app-processes';
import { PROJECTOR_SCHEMA as S } from '../src/projector.schema';
import {
  SERVICE_CALLS_PROJECTION,
  ServiceCallProjectionHandler,
} from '../src/service-calls/service-call-projection.handler';
import { ServiceCallViews } from '../src/service-calls/service-call-views';

const TENANT = 'tenant-a';
const silentPino = pino({ level: 'silent' });
/** What the handler uses of nestjs-pino's PinoLogger: pino's methods plus `.logger`. */
const silent = Object.assign(Object.create(silentPino), { logger: silentPino }) as unknown as PinoLogger;
const result: ExecutionResult = {
  statusCode: 200,
  latencyMs: 42,
  responseSnippet: 'ok',
  responseHeaders: { 'content-type': 'text/plain' },
  error: null,
};
const failure: ExecutionResult = {
  statusCode: 503,
  latencyMs: 7,
  responseSnippet: 'down',
  responseHeaders: {},
  error: { code: 'NON_2XX_STATUS', message: 'status 503' },
};

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
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
  return events.map((event, i) =>
    newEventMessage(event, {
      tenantId: TENANT,
      serviceCallId,
      cause: { messageId: randomUUID(), correlationId: randomUUID() },
      timestamp: new Date(base + i * 1_000),
      version: i + 1,
    }),
  );
}

const submitted = (serviceCallId: string, dueAt: string | null = null): ServiceCallEvent => ({
  type: 'ServiceCallSubmitted',
  data: {
    serviceCallId,
    tenantId: TENANT,
    target: { method: 'POST', url: 'https://example.com/hook?token=[REDACTED]', headers: { authorization: '[REDACTED]' } },
    sealedTarget: { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' },
    dueAt,
    tags: ['billing'],
    timeoutMs: 5_000,
    submittedAt: '2026-11-01T09:59:59.000Z',
  },
});
const scheduled = (dueAt: string): ServiceCallEvent => ({ type: 'ServiceCallScheduled', data: { dueAt } });
const requested = (): ServiceCallEvent => ({
  type: 'ExecutionRequested',
  data: { attempt: 1, requestedAt: '2026-11-01T10:00:01.000Z' },
});
const succeeded = (): ServiceCallEvent => ({
  type: 'ServiceCallSucceeded',
  data: { attempt: 1, startedAt: '2026-11-01T10:00:01.500Z', finishedAt: '2026-11-01T10:00:01.542Z', result },
});
const failed = (): ServiceCallEvent => ({
  type: 'ServiceCallFailed',
  data: { attempt: 1, startedAt: '2026-11-01T10:00:02.000Z', finishedAt: '2026-11-01T10:00:02.007Z', result: failure },
});

describe('service call projection (real Postgres)', () => {
  let databaseUrl: string;
  let dataSource: DataSource;
  let handler: ServiceCallProjectionHandler;
  /** The topic's name on the broker, under this suite's own prefix, as the transport hands it in. */
  const physicalTopic = `it-projection-${randomBytes(4).toString('hex')}.${TOPICS.events}`;

  const openDataSource = () =>
    createDataSource({ url: databaseUrl, schema: S, migrations: [], applicationName: 'projection-it' }).initialize();

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('projection');
    await migrateAll(databaseUrl);
    dataSource = await openDataSource();
    handler = new ServiceCallProjectionHandler(dataSource, silent);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  /** A record as the transport hands it to the handler. */
  const at = (
    envelope: ServiceCallEventMessage,
    partition: number,
    offset: number | string,
    topic = physicalTopic,
  ): ConsumedMessage<ServiceCallEventMessage> => ({
    envelope,
    topic: TOPICS.events,
    physicalTopic: topic,
    partition,
    offset: String(offset),
  });
  /** Consecutive records of one partition from `firstOffset`. */
  const records = (partition: number, firstOffset: number, envelopes: ServiceCallEventMessage[], topic = physicalTopic) =>
    envelopes.map((envelope, i) => at(envelope, partition, firstOffset + i, topic));

  const row = async (id: string) => {
    const rows = await dataSource.query(`SELECT * FROM "${S}".service_calls WHERE tenant_id = $1 AND id = $2`, [TENANT, id]);
    return rows[0];
  };
  const checkpoint = async (partition: number, topic = physicalTopic): Promise<string | undefined> => {
    const rows = await dataSource.query(
      `SELECT "offset" FROM "${S}".checkpoints WHERE projection = $1 AND topic = $2 AND partition = $3`,
      [SERVICE_CALLS_PROJECTION, topic, partition],
    );
    return rows[0]?.offset;
  };

  it('moves the read model through the events of a call and checkpoints each batch under the physical topic', async () => {
    const id = randomUUID();
    const [a, b, c] = callStream(id, [submitted(id), requested(), succeeded()]);
    await handler.handle([at(a, 0, 0)]);
    expect(await row(id)).toMatchObject({
      status: 'Accepted',
      version: 1,
      attempts: 0,
      url: 'https://example.com/hook?token=[REDACTED]',
    });
    await handler.handle([at(b, 0, 1)]);
    expect(await row(id)).toMatchObject({ status: 'Running', version: 2, attempts: 1 });
    await handler.handle([at(c, 0, 2)]);
    const done = await row(id);
    expect(done).toMatchObject({
      status: 'Succeeded',
      version: 3,
      attempts: 1,
      result,
      tags: ['billing'],
      timeout_ms: 5_000,
    });
    expect(done.finished_at.toISOString()).toBe('2026-11-01T10:00:01.542Z');
    expect(done.updated_at.toISOString()).toBe(c.timestamp);
    expect(await checkpoint(0)).toBe('2');
    expect(await checkpoint(0, TOPICS.events)).toBeUndefined();
  });

  it("applies a batch of several calls' events, interleaved, in one go", async () => {
    const [x, y, z] = [randomUUID(), randomUUID(), randomUUID()];
    const [sx, sy, sz] = [
      callStream(x, [submitted(x), requested(), succeeded()]),
      callStream(y, [submitted(y, '2026-11-02T00:00:00.000Z'), scheduled('2026-11-02T00:00:00.000Z')]),
      callStream(z, [submitted(z), requested(), failed()]),
    ];
    await handler.handle(records(5, 0, [sx[0], sy[0], sz[0], sx[1], sy[1], sz[1], sx[2], sz[2]]));
    expect(await row(x)).toMatchObject({ status: 'Succeeded', version: 3 });
    expect(await row(y)).toMatchObject({ status: 'Scheduled', version: 2 });
    expect(await row(z)).toMatchObject({ status: 'Failed', version: 3, result: failure });
    expect(await checkpoint(5)).toBe('7');
  });

  it('checkpoints each partition of a batch that holds records of several, at its highest offset', async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    const [sx, sy] = [callStream(x, [submitted(x), requested()]), callStream(y, [submitted(y), requested(), succeeded()])];
    await handler.handle([at(sx[0], 13, 40), at(sy[0], 14, 7), at(sx[1], 13, 41), at(sy[1], 14, 8), at(sy[2], 14, 9)]);
    expect(await row(x)).toMatchObject({ status: 'Running', version: 2 });
    expect(await row(y)).toMatchObject({ status: 'Succeeded', version: 3 });
    expect(await checkpoint(13)).toBe('41');
    expect(await checkpoint(14)).toBe('9');
    // A later batch of both, one of them redelivered from below its checkpoint: each moves on its own, never back.
    await handler.handle([at(sy[2], 14, 2), at(sx[1], 13, 42)]);
    expect(await checkpoint(13)).toBe('42');
    expect(await checkpoint(14)).toBe('9');
  });

  it('changes nothing when a record is redelivered or an event is republished at a new offset, and never moves the checkpoint back', async () => {
    const id = randomUUID();
    const [a, b, c] = callStream(id, [submitted(id), requested(), succeeded()]);
    for (const [message, offset] of [
      [a, 10],
      [b, 11],
      [c, 12],
    ] as const)
      await handler.handle([at(message, 1, offset)]);
    const applied = await row(id);

    await handler.handle([at(b, 1, 11)]); // the same record again
    expect(await row(id)).toEqual(applied);
    expect(await checkpoint(1)).toBe('12');

    await handler.handle([at(c, 1, 13)]); // the outbox republished the newest event
    await handler.handle([at(b, 1, 14)]); // ...and an older one
    expect(await row(id)).toEqual(applied);
    expect(await checkpoint(1)).toBe('14');

    // A different message carrying a version the view already has is not applied either.
    const [, again] = callStream(id, [submitted(id), failed()]);
    await handler.handle([at(again, 1, 15)]);
    expect(await row(id)).toEqual(applied);

    await handler.handle([at(a, 1, 10)]);
    expect(await checkpoint(1)).toBe('15');
  });

  it('changes nothing when the same events come twice within one batch and again in later batches', async () => {
    const id = randomUUID();
    const [a, b, c] = callStream(id, [submitted(id), requested(), succeeded()]);
    await handler.handle(records(6, 0, [a, b, a, b, c, b, a, c]));
    const applied = await row(id);
    expect(applied).toMatchObject({ status: 'Succeeded', version: 3, attempts: 1 });
    expect(applied.updated_at.toISOString()).toBe(c.timestamp);

    // The batch redelivered whole, then republished in another order at new offsets.
    await handler.handle(records(6, 0, [a, b, a, b, c, b, a, c]));
    await handler.handle(records(6, 8, [c, b, a]));
    await handler.handle(records(6, 11, [b]));
    expect(await row(id)).toEqual(applied);
    expect(await checkpoint(6)).toBe('11');

    // A batch that repeats older events around a newer one still lands on the newer one.
    const other = randomUUID();
    const [oa, ob, oc] = callStream(other, [submitted(other), requested(), failed()]);
    await handler.handle(records(6, 12, [oa, oa, ob]));
    await handler.handle(records(6, 15, [ob, oa, oc, ob, oa]));
    expect(await row(other)).toMatchObject({ status: 'Failed', version: 3 });
  });

  it('after a restart, re-applied records change nothing and the ones after them apply', async () => {
    const id = randomUUID();
    const stream = callStream(id, [
      submitted(id, '2026-11-02T00:00:00.000Z'),
      scheduled('2026-11-02T00:00:00.000Z'),
      requested(),
      failed(),
    ]);
    await handler.handle(records(2, 100, stream.slice(0, 2)));
    const beforeRestart = await row(id);
    expect(beforeRestart).toMatchObject({ status: 'Scheduled', version: 2 });

    // A new process: its own pool and handler, no memory of what the old one did. Kafka lost the
    // old commits, so the group starts again from an earlier offset.
    const restarted = await openDataSource();
    try {
      const fresh = new ServiceCallProjectionHandler(restarted, silent);
      await fresh.handle([at(stream[0], 2, 100)]);
      await fresh.handle([at(stream[1], 2, 101)]);
      expect(await row(id)).toEqual(beforeRestart);
      expect(await checkpoint(2)).toBe('101');

      await fresh.handle(records(2, 100, stream));
      expect(await row(id)).toMatchObject({ status: 'Failed', version: 4, attempts: 1, result: failure });
      expect(await checkpoint(2)).toBe('103');
    } finally {
      await restarted.destroy();
    }
  });

  it('keeps a checkpoint per partition: a low offset on another partition is still applied', async () => {
    const [x, y] = [randomUUID(), randomUUID()];
    await handler.handle([at(callStream(x, [submitted(x)])[0], 3, 500)]);
    await handler.handle([at(callStream(y, [submitted(y)])[0], 4, 0)]);
    expect(await row(y)).toMatchObject({ status: 'Accepted', version: 1 });
    expect([await checkpoint(3), await checkpoint(4)]).toEqual(['500', '0']);
  });

  it('never skips the events of a recreated topic (offsets from 0 again) because of a checkpoint left by the old one', async () => {
    const partition = 7;
    const [old, next] = [randomUUID(), randomUUID()];
    const oldStream = callStream(old, [submitted(old), requested(), succeeded()]);
    // The old topic got far: its checkpoint is at 900.
    await handler.handle(records(partition, 898, oldStream.slice(0, 2)));
    await handler.handle([at(callStream(randomUUID(), [submitted(randomUUID())])[0], partition, 900)]);
    expect(await checkpoint(partition)).toBe('900');

    // The topic is deleted and created again under the same name: offsets start from 0.
    const nextStream = callStream(next, [submitted(next), requested(), succeeded()]);
    await handler.handle(records(partition, 0, nextStream.slice(0, 2)));
    expect(await row(next)).toMatchObject({ status: 'Running', version: 2 });
    await handler.handle([at(nextStream[2], partition, 2), at(oldStream[2], partition, 3)]);
    expect(await row(next)).toMatchObject({ status: 'Succeeded', version: 3 });
    expect(await row(old)).toMatchObject({ status: 'Succeeded', version: 3 });

    // Under another prefix (a renamed or re-provisioned topic) the position is a different row altogether.
    const renamed = `it-renamed-${randomBytes(4).toString('hex')}.${TOPICS.events}`;
    const third = randomUUID();
    await handler.handle(records(partition, 0, callStream(third, [submitted(third)]), renamed));
    expect(await row(third)).toMatchObject({ status: 'Accepted', version: 1 });
    expect(await checkpoint(partition, renamed)).toBe('0');
    expect(await checkpoint(partition)).not.toBe('0');
  });

  it('folds the next events of a call onto the view it wrote, and reads the table only after a gap in versions', async () => {
    const reads = jest.spyOn(ServiceCallViews.prototype, 'load');
    try {
      const own = new ServiceCallProjectionHandler(dataSource, silent);
      const steady = randomUUID();
      const [sa, sb, sc] = callStream(steady, [submitted(steady), requested(), succeeded()]);
      for (const [i, message] of [sa, sb, sc].entries()) await own.handle([at(message, 11, i)]);
      expect(await row(steady)).toMatchObject({ status: 'Succeeded', version: 3, attempts: 1 });
      expect(reads).not.toHaveBeenCalled();

      // The partition moves to another member for one event, then comes back: this one's view is a version behind.
      const other = new ServiceCallProjectionHandler(dataSource, silent);
      const moved = randomUUID();
      const [ma, mb, mc] = callStream(moved, [submitted(moved), requested(), succeeded()]);
      await own.handle([at(ma, 12, 0)]);
      await other.handle([at(mb, 12, 1)]);
      await own.handle([at(mc, 12, 2)]);
      expect(reads).toHaveBeenCalledTimes(2);
      // Folded onto the table's version 2 (attempt 1), not onto the version 1 this member kept.
      expect(await row(moved)).toMatchObject({ status: 'Succeeded', version: 3, attempts: 1 });
    } finally {
      reads.mockRestore();
    }
  });

  it('counts a finished call once when a projector with no memory of it gets its whole stream again', async () => {
    const finished = async () =>
      (await callsFinished.get()).values.find((v) => v.labels.tenant === TENANT && v.labels.outcome === 'Succeeded')
        ?.value ?? 0;
    const id = randomUUID();
    const stream = callStream(id, [submitted(id), requested(), succeeded()]);
    const before = await finished();
    await handler.handle(records(13, 0, stream));
    expect(await finished()).toBe(before + 1);
    // Folded from its first event in memory, the stream reaches Succeeded again; the table already had it.
    await new ServiceCallProjectionHandler(dataSource, silent).handle(records(13, 0, stream));
    expect(await finished()).toBe(before + 1);
    expect(await row(id)).toMatchObject({ status: 'Succeeded', version: 3 });
  });

  it('applies nothing of a batch, checkpoint included, when one of its events cannot be projected', async () => {
    const [good, orphan] = [randomUUID(), randomUUID()];
    const [, orphanRequested] = callStream(orphan, [submitted(orphan), requested()]);
    const batch = records(9, 40, [callStream(good, [submitted(good)])[0], orphanRequested]);
    await expect(handler.handle(batch)).rejects.toThrow(/before ServiceCallSubmitted/);
    expect(await row(good)).toBeUndefined();
    expect(await checkpoint(9)).toBeUndefined();
    // Alone (as the transport retries it after splitting the batch), the good one applies.
    await handler.handle([batch[0]]);
    expect(await row(good)).toMatchObject({ status: 'Accepted', version: 1 });
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
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: '1',
      LOG_LEVEL: 'warn',
      PORT: String(port),
    };
    const started = startApp('projector', {
      env,
      ports: { gateway: 0, 'scheduler-core': 0, executor: 0, projector: port },
      onLine: (_, line) => output.push(line),
    });
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
    dataSource = await createDataSource({
      url: databaseUrl,
      schema: S,
      migrations: [],
      applicationName: 'projector-process-it',
    }).initialize();
    const calls = Array.from({ length: 12 }, () => randomUUID());
    const streams = calls.map((id) => callStream(id, [submitted(id), requested(), succeeded()]));
    const send = (messages: ServiceCallEventMessage[]) =>
      producer.send({ topic: `${prefix}${TOPICS.events}`, messages: messages.map(encodeEnvelope) });
    const versions = async (): Promise<Map<string, number>> => {
      const rows: { id: string; version: number }[] = await dataSource.query(`SELECT id, version FROM "${S}".service_calls`);
      return new Map(rows.map((r) => [r.id, r.version]));
    };

    // First half: submitted and requested for every call; the process dies while the second half streams in.
    await send(streams.map((s) => s[0]));
    await send(streams.map((s) => s[1]));
    await eventually(
      'the first half applied',
      async () => [...(await versions()).values()].filter((v) => v === 2).length === calls.length,
    );
    const sent = send(streams.map((s) => s[2]));
    await eventually(
      'some of the second half applied',
      async () => [...(await versions()).values()].some((v) => v === 3),
      10_000,
    );
    await stopApp(app, 'SIGKILL');
    await sent;

    app = await start();
    await eventually(
      'every call projected to its last event',
      async () => [...(await versions()).values()].filter((v) => v === 3).length === calls.length,
      40_000,
    );

    const rows = await dataSource.query(`SELECT id, status, version, attempts FROM "${S}".service_calls ORDER BY id`);
    expect(rows).toEqual(
      calls.map((id) => ({ id, status: 'Succeeded', version: 3, attempts: 1 })).sort((p, q) => p.id.localeCompare(q.id)),
    );
    const checkpoints = await dataSource.query(`SELECT topic, partition, "offset" FROM "${S}".checkpoints`);
    expect(checkpoints).toEqual([
      { topic: `${prefix}${TOPICS.events}`, partition: 0, offset: String(calls.length * 3 - 1) },
    ]);
    expect(output.filter((line) => line.includes('message sent to DLQ'))).toEqual([]);
  }, 90_000);
});
