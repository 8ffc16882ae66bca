import { existsSync } from 'node:fs';
import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { waitUntilSettled } from './support/invariants';
import { settleAndCheck } from './support/settle-and-check';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/**
 * Scenario 10: scheduler-core's clock is 30 s ahead, then 30 s behind (libfaketime, on that process
 * only; Debian package `faketime`). Scheduled calls never run before their dueAt by the real clock,
 * and still run.
 */
(existsSync(LIBFAKETIME) ? describe : describe.skip)('fault: clock skew on scheduler-core', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('clock-skew');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it.each(['+30s', '-30s'])('runs scheduled calls never early and still runs them, with the clock at %s', async (skew) => {
    target.received.length = 0; // each case checks only its own calls against the target
    await system.stopApp('scheduler-core');
    system.setAppEnv('scheduler-core', { LD_PRELOAD: LIBFAKETIME, FAKETIME: skew, FAKETIME_DONT_FAKE_MONOTONIC: '1' });
    await system.startApp('scheduler-core');
    const startedAt = Date.now();
    const firstDue = Date.now() + 5_000;
    const result = await runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 50,
      durationMs: 2_000,
      body: (i) => ({
        target: { method: 'POST', url: `${targetUrl}/skew${skew}/${i}` },
        dueAt: new Date(firstDue + i * 20).toISOString(),
      }),
    });
    await waitUntilSettled(system.databaseUrl, result.accepted, 75_000);
    const early: string[] = [];
    let maxLateMs = 0;
    for (const r of target.received.filter((x) => x.path.startsWith(`/skew${skew}/`))) {
      const due = result.dueAtById.get(String(r.headers['idempotency-key']));
      if (due === undefined) continue;
      if (r.receivedAt < due) early.push(`${due - r.receivedAt} ms early`);
      maxLateMs = Math.max(maxLateMs, r.receivedAt - due);
    }
    const outcome = await settleAndCheck({
      scenario: `10-clock-skew${skew.replace('+', 'plus').replace('-', 'minus')}`,
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: startedAt,
      settleTimeoutMs: 5_000,
      figures: { skew, calls: result.sent, accepted: result.accepted.length, early: early.length, maxLateMs },
    });
    process.stderr.write(`[faults] clock skew ${skew}: early ${early.length}, max lateness ${maxLateMs} ms\n`);

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(early).toEqual([]);
    expect(outcome.report.byStatus).toEqual({ Succeeded: result.sent });
  });
});
