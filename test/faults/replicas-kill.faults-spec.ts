import { APPS } from '../../tools/stack/app-processes';
import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 14: two replicas of every app; under load, one of each is SIGKILLed (and not started
 * again). The survivors take over the partitions, the timers and the outboxes: every call ends
 * terminal, nothing is lost or run twice. Calls in flight on the killed executor may end Failed
 * EXECUTION_INTERRUPTED (once the survivor gets their partition).
 */
describe('fault: two replicas of every app, one of each killed', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;
  let gatewayUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204, delayMs: 300 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('replicas-kill');
    for (const app of APPS) {
      const port = await system.startReplica(app);
      if (app === 'gateway') gatewayUrl = `http://127.0.0.1:${port}`;
    }
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('survivors finish every call, none twice', async () => {
    const load = runOpenLoopLoad({
      baseUrl: gatewayUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 40,
      durationMs: 20_000,
      body: (i) => ({
        target: { method: 'POST', url: `${targetUrl}/rep/${i}` },
        ...(i % 4 === 0 ? { dueAt: new Date(Date.now() + 3_000).toISOString() } : {}),
      }),
    });
    await new Promise((r) => setTimeout(r, 6_000));
    system.note('SIGKILL the first instance of every app');
    await Promise.all(APPS.map((app) => system.kill(app)));
    const killedAt = Date.now();
    const result = await load;

    const outcome = await settleAndCheck({
      scenario: '14-replicas-kill',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: killedAt,
      settleTimeoutMs: 90_000,
      figures: { calls: result.sent, accepted: result.accepted.length, other: result.other, replicas: 2, killed: [...APPS] },
    });

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(result.accepted.length).toBe(result.sent);
    expect(Object.keys(outcome.report.failedByCode).filter((c) => c !== 'EXECUTION_INTERRUPTED')).toEqual([]);
  });
});
