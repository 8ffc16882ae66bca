import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TOPICS } from '@app/common/contracts';
import { RecordingTarget } from '../support/recording-target';
import { readTopicToEnd } from '../support/topic-records';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 5: an outbox transaction that commits late. A transaction writes a gateway outbox row
 * (a copy of a real SubmitServiceCall for a new call id) and stays open for 6 s while the load
 * writes and commits rows with higher ids. The publisher must neither skip the late row (it has
 * the lower id) nor lose anything behind it: after the commit, the late call runs like any other.
 */
describe('fault: a late-committing outbox transaction', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('late-commit');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('publishes the late row after its commit and everything behind it', async () => {
    const warmup = await runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 20,
      durationMs: 1_000,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/warm/${i}` } }),
    });
    const template = await firstSubmitCommand(system);
    const late = new Client({ connectionString: system.databaseUrl });
    await late.connect();
    const lateId = randomUUID();
    const messageId = randomUUID();
    const envelope = JSON.parse(
      JSON.stringify(template.envelope).split(template.message_key).join(lateId).split(template.message_id).join(messageId),
    );
    await late.query('BEGIN');
    await late.query(`INSERT INTO gateway.outbox (topic, message_key, message_id, envelope) VALUES ($1, $2, $3, $4)`, [
      template.topic,
      lateId,
      messageId,
      envelope,
    ]);
    const lateRowId = (await late.query(`SELECT max(id)::int AS id FROM gateway.outbox`)).rows[0].id as number;
    system.note(`late outbox row ${lateRowId} for ${lateId} written, transaction left open`);
    const load = runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 40,
      durationMs: 10_000,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/during/${i}` } }),
    });
    await new Promise((r) => setTimeout(r, 6_000));
    await late.query('COMMIT');
    const committedAt = Date.now();
    system.note('late transaction committed');
    await late.end();
    const result = await load;

    const accepted = [...warmup.accepted, ...result.accepted, lateId];
    const outcome = await settleAndCheck({
      scenario: '05-late-commit',
      system,
      accepted,
      target,
      faultEndedAt: committedAt,
      figures: {
        calls: warmup.sent + result.sent + 1,
        accepted: accepted.length,
        openTransactionMs: 6_000,
        other: result.other,
      },
    });
    const lateRequests = target.received.filter((r) => r.headers['idempotency-key'] === lateId).length;

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(lateRequests).toBe(1);
  });
});

/** A real SubmitServiceCall as the gateway wrote it, read back from the commands topic (published outbox rows are deleted). */
async function firstSubmitCommand(
  system: FaultSystem,
): Promise<{ topic: string; message_key: string; message_id: string; envelope: unknown }> {
  for (const record of await readTopicToEnd([system.kafka.address], `${system.topicPrefix}${TOPICS.commands}`)) {
    const envelope = JSON.parse(record.value!) as { type: string; messageId: string };
    if (envelope.type === 'SubmitServiceCall')
      return { topic: TOPICS.commands, message_key: record.key!, message_id: envelope.messageId, envelope };
  }
  throw new Error('no SubmitServiceCall on the commands topic');
}
