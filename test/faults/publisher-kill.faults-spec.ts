import { TOPICS } from '@app/common/contracts';
import { AppName } from '../../tools/stack/app-processes';
import { RecordingTarget } from '../support/recording-target';
import { readTopicToEnd } from '../support/topic-records';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 6: the outbox publishers (gateway, scheduler-core, executor) are SIGKILLed again and
 * again under load, so some die after the broker took a batch and before the rows were marked
 * sent. Those rows go out again after the restart; consumers dedupe them (inbox, expected
 * versions, attempt journal). We count the republished messages (messages on the topics minus
 * outbox rows) to show the window was hit, and check nothing is duplicated downstream.
 */
describe('fault: outbox publishers killed between produce and mark-sent', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('publisher-kill');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('republishes what was not marked sent and duplicates nothing downstream', async () => {
    const load = runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 100,
      durationMs: 15_000,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/o/${i}` } }),
    });
    const kills: AppName[] = ['gateway', 'scheduler-core', 'gateway', 'executor', 'scheduler-core', 'gateway'];
    for (const app of kills) {
      await sleep(500 + Math.random() * 1_000);
      system.note(`SIGKILL ${app}`);
      await system.kill(app);
      await system.startApp(app);
    }
    const result = await load;
    const loadEndedAt = Date.now();

    const outcome = await settleAndCheck({
      scenario: '06-publisher-kill',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: loadEndedAt,
      figures: {
        load: {
          sent: result.sent,
          ratePerSecond: 100,
          answers: { accepted: result.accepted.length, unavailable: result.unavailable, other: result.other },
        },
        kills,
        republished: await republished(system),
      },
    });

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
  });
});

/** Messages on each topic beyond one per messageId: the ones a killed publisher sent twice (published rows are deleted, so the topics are read). */
async function republished(system: FaultSystem): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const topic of Object.values(TOPICS)) {
    const records = await readTopicToEnd([system.kafka.address], `${system.topicPrefix}${topic}`, 60_000);
    out[topic] = records.length - new Set(records.map((r) => String(r.headers.messageId))).size;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
