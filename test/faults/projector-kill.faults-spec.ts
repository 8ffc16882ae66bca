import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 9: SIGKILL the projector mid-load (three times, so some kills land between an upsert
 * and its checkpoint, or mid-batch), restart it each time: the read model equals the fold of the
 * event store, every call is visible and terminal.
 */
describe('fault: projector SIGKILL mid-load', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 200, body: 'ok' }));
    targetUrl = await target.start();
    system = await FaultSystem.start('projector-kill');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('rebuilds to exactly the fold of the event store', async () => {
    const load = runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 60,
      durationMs: 12_000,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/p/${i}` }, tags: [`n${i % 7}`] }),
    });
    let restartedAt = Date.now();
    for (const at of [2_000, 2_700, 3_500]) {
      await sleep(at);
      system.note('SIGKILL projector');
      await system.kill('projector');
      await system.startApp('projector');
      restartedAt = Date.now();
    }
    const result = await load;
    restartedAt = Math.max(restartedAt, Date.now()); // recovery counts from the end of the load, which outlasts the kills

    const outcome = await settleAndCheck({
      scenario: '09-projector-kill',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: restartedAt,
      figures: { calls: result.sent, accepted: result.accepted.length, kills: 3, other: result.other },
    });

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(result.accepted.length).toBe(result.sent);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
