import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 1: SIGKILL the executor while hundreds of calls are in flight (the target answers after
 * 1 s), then start it again. No target sees a call twice; every call ends terminal. Calls that were
 * in flight when it died end Failed EXECUTION_INTERRUPTED (the executor journals the attempt before
 * calling out and never calls again); we count them.
 */
describe('fault: executor SIGKILL with calls in flight', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 200, body: 'ok', delayMs: 1_000 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('executor-kill', { env: { EXECUTOR_MAX_IN_FLIGHT: '500' } });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('calls no target twice and ends every call terminal', async () => {
    const load = runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 200,
      durationMs: 2_500,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/slow/${i}` } }),
    });
    // Kill once a good share of the calls reached the target (and are waiting for its answer).
    const deadline = Date.now() + 30_000;
    while (target.received.length < 150 && Date.now() < deadline) await sleep(20);
    const receivedAtKill = target.received.length;
    system.note(`SIGKILL executor with ${receivedAtKill} requests received by the target`);
    await system.kill('executor');
    const result = await load;
    await system.startApp('executor');
    const restartedAt = Date.now();

    const outcome = await settleAndCheck({
      scenario: '01-executor-kill',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: restartedAt,
      figures: {
        load: {
          sent: result.sent,
          ratePerSecond: 200,
          answers: { accepted: result.accepted.length, unavailable: result.unavailable, other: result.other },
        },
        receivedByTargetAtKill: receivedAtKill,
        targetRequests: target.received.length,
      },
    });

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(result.accepted.length).toBe(result.sent);
    // Only calls that were in flight may fail, and only as interrupted.
    expect(Object.keys(outcome.report.failedByCode).filter((c) => c !== 'EXECUTION_INTERRUPTED')).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
