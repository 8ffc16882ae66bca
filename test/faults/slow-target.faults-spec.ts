import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 12: 300 calls to a target that answers after 2 s, one executor. Calls run concurrently,
 * so the executor keeps heartbeating: no rebalance loop ('consumer joined group' once per app), no
 * duplicate, everything done within 10 s of the last submit.
 */
describe('fault: slow target at volume', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 200, body: 'slow', delayMs: 2_000 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('slow-target');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('runs 300 slow calls once each, without a rebalance loop, within 10 s', async () => {
    const joinsBefore = system.linesMatching(/consumer joined group/).length;
    const result = await runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 150,
      durationMs: 2_000,
      body: (i) => ({ target: { method: 'GET', url: `${targetUrl}/slow/${i}` } }),
    });
    const lastSubmitAt = Date.now();
    const outcome = await settleAndCheck({
      scenario: '12-slow-target',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: lastSubmitAt,
      settleTimeoutMs: 60_000,
      figures: {
        calls: result.sent,
        accepted: result.accepted.length,
        targetDelayMs: 2_000,
        joinsAtStart: joinsBefore,
        joinsDuringLoad: system.linesMatching(/consumer joined group/).length - joinsBefore,
      },
    });
    const joinsDuringLoad = system.linesMatching(/consumer joined group/).length - joinsBefore;

    expect(outcome.violations).toEqual([]);
    expect(result.accepted.length).toBe(result.sent);
    expect(outcome.report.byStatus).toEqual({ Succeeded: result.sent });
    expect(joinsDuringLoad).toBe(0);
    expect(outcome.timeToRecoverMs).toBeLessThan(10_000);
  });
});
