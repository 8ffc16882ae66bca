import { Kafka, logLevel } from '@app/common/messaging/kafkajs';
import { Client } from 'pg';
import { CONSUMER_GROUPS, TOPICS } from '@app/common/contracts';
import { RecordingTarget } from '../support/recording-target';
import { APPS } from '../../tools/stack/app-processes';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';
import { waitUntilSettled } from './support/invariants';

/**
 * Scenario 7: every consumer group is rewound to the earliest offset, so each app sees all its
 * messages again. Inboxes, expected versions, the attempt journal and the projector's versions make
 * the replay a no-op: no new event, no new request to the target, the read model unchanged.
 */
describe('fault: every consumer group reset to the earliest offset', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('offsets-reset');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('replays everything without a new event, request or read-model change', async () => {
    const result = await runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 50,
      durationMs: 6_000,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/r/${i}` } }),
    });
    expect((await waitUntilSettled(system.databaseUrl, result.accepted, 60_000)).settled).toBe(true);
    const before = await snapshot(system.databaseUrl);
    const requestsBefore = target.received.length;

    for (const app of APPS) await system.stopApp(app);
    const kafka = new Kafka({ clientId: 'faults-reset', brokers: [system.kafka.address], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const groups: [string, string][] = [
      [CONSUMER_GROUPS.schedulerCore, TOPICS.commands],
      [CONSUMER_GROUPS.executor, TOPICS.executions],
      [CONSUMER_GROUPS.projector, TOPICS.events],
    ];
    // admin.resetOffsets({ earliest: true }) commits the sentinel -2, which a consumer reads as "no
    // offset" and may resolve to the latest one; commit each partition's low watermark instead.
    let lagAfterReset = 0;
    for (const [group, topic] of groups) {
      const physical = `${system.topicPrefix}${topic}`;
      const ends = await admin.fetchTopicOffsets(physical);
      await admin.setOffsets({
        groupId: `${system.topicPrefix}${group}`,
        topic: physical,
        partitions: ends.map((e) => ({ partition: e.partition, offset: e.low })),
      });
      lagAfterReset += ends.reduce((sum, e) => sum + Number(e.high) - Number(e.low), 0);
    }
    await admin.disconnect();
    system.note('offsets reset to earliest; starting apps');
    await system.startApp('scheduler-core');
    for (const app of APPS.filter((a) => a !== 'scheduler-core')) await system.startApp(app);
    const restartedAt = Date.now();
    // Let the apps read everything again: wait until every group has caught up to the end.
    await caughtUp(kafka, system.topicPrefix, groups, 60_000);
    const caughtUpMs = Date.now() - restartedAt;
    await sleep(2_000);
    const after = await snapshot(system.databaseUrl);

    const outcome = await settleAndCheck({
      scenario: '07-offsets-reset',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: restartedAt,
      figures: {
        calls: result.sent,
        accepted: result.accepted.length,
        messagesToReplay: lagAfterReset,
        replayCaughtUpMs: caughtUpMs,
        eventsBefore: before.events,
        eventsAfter: after.events,
        requestsBefore,
        requestsAfter: target.received.length,
        readModelUnchanged: before.readModel === after.readModel,
      },
    });

    expect(outcome.violations).toEqual([]);
    expect(lagAfterReset).toBeGreaterThan(result.accepted.length);
    expect(after.events).toBe(before.events);
    expect(target.received.length).toBe(requestsBefore);
    expect(after.readModel === before.readModel).toBe(true);
  });
});

async function snapshot(databaseUrl: string): Promise<{ events: number; readModel: string }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const events = (await db.query('SELECT count(*)::int AS n FROM scheduler_core.events')).rows[0].n as number;
    const rows = (await db.query('SELECT * FROM projector.service_calls ORDER BY tenant_id, id')).rows;
    return { events, readModel: JSON.stringify(rows) };
  } finally {
    await db.end();
  }
}

async function caughtUp(kafka: Kafka, prefix: string, groups: [string, string][], timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let lag = 0;
      for (const [group, topic] of groups) {
        const ends = await admin.fetchTopicOffsets(`${prefix}${topic}`);
        const [committed] = await admin.fetchOffsets({ groupId: `${prefix}${group}`, topics: [`${prefix}${topic}`] });
        for (const end of ends) {
          const c = committed.partitions.find((p) => p.partition === end.partition);
          const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
          lag += Number(end.high) - at;
        }
      }
      if (lag === 0) return;
      if (Date.now() > deadline) throw new Error(`consumer groups still ${lag} messages behind after ${timeoutMs} ms`);
      await sleep(500);
    }
  } finally {
    await admin.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
