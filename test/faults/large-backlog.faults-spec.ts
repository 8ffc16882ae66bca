import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 13: a backlog of large calls (200 KB bodies, near the 256 KB request limit) builds up in
 * the outboxes while the broker is down; once it is back, the publishers cut the backlog into
 * produce requests by bytes and everything goes out: nothing set aside, lost or duplicated.
 */
describe('fault: a backlog of large calls behind a broker outage', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('large-backlog');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('drains the whole backlog once the broker is back', async () => {
    system.note('stopping the broker');
    await system.kafka.stop('SIGTERM');
    const payload = 'y'.repeat(200_000);
    const result = await runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 20,
      durationMs: 6_000,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/large/${i}`, body: { i, payload } } }),
    });
    await system.kafka.start();
    const upAt = Date.now();
    system.note('broker started again');
    await sleep(5_000);
    const exited = await system.restartExited();

    const outcome = await settleAndCheck({
      scenario: '13-large-backlog',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: upAt,
      settleTimeoutMs: 120_000,
      figures: {
        calls: result.sent,
        bodyBytes: 200_000,
        accepted: result.accepted.length,
        other: result.other,
        exitedDuringOutage: exited,
      },
    });
    const bodiesIntact = target.received.filter((r) => r.body.length > 200_000).length;

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(result.accepted.length).toBe(result.sent);
    expect(Object.values(outcome.report.outboxSetAside).reduce((a, b) => a + b, 0)).toBe(0);
    expect(bodiesIntact).toBe(result.accepted.length);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
