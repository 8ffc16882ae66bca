import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { runOpenLoopLoad } from './support/open-loop-load';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 2: ~200 calls fall due over two seconds; scheduler-core is SIGKILLed while they fire
 * and started again. Each call runs exactly once, none before its dueAt, all of them run.
 */
describe('fault: scheduler-core SIGKILL while timers are due', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('scheduler-core-kill');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('runs every due call once, never early', async () => {
    const firstDue = Date.now() + 8_000;
    const result = await runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: 100,
      durationMs: 2_000,
      body: (i) => ({
        target: { method: 'POST', url: `${targetUrl}/t/${i}` },
        dueAt: new Date(firstDue + i * 10).toISOString(),
      }),
    });
    const deadline = Date.now() + 30_000;
    while (target.received.length < 30 && Date.now() < deadline) await sleep(10);
    const receivedAtKill = target.received.length;
    system.note(`SIGKILL scheduler-core with ${receivedAtKill} due calls run`);
    await system.kill('scheduler-core');
    await system.startApp('scheduler-core');
    const restartedAt = Date.now();

    const outcome = await settleAndCheck({
      scenario: '02-scheduler-core-kill',
      system,
      accepted: result.accepted,
      target,
      faultEndedAt: restartedAt,
      figures: {
        calls: result.sent,
        accepted: result.accepted.length,
        receivedByTargetAtKill: receivedAtKill,
        ...timing(target, result.dueAtById),
      },
    });

    expect(outcome.violations).toEqual([]);
    expect(outcome.settled).toBe(true);
    expect(result.accepted.length).toBe(result.sent);
    expect(outcome.report.byStatus).toEqual({ Succeeded: result.accepted.length });
    expect(timing(target, result.dueAtById).early).toEqual([]);
  });
});

/** Lateness of each request against its call's dueAt; `early` lists calls the target saw before dueAt. */
function timing(target: RecordingTarget, dueAtById: Map<string, number>) {
  const early: string[] = [];
  let maxLateMs = 0;
  for (const r of target.received) {
    const id = String(r.headers['idempotency-key']);
    const due = dueAtById.get(id);
    if (due === undefined) continue;
    if (r.receivedAt < due) early.push(`${id} ${due - r.receivedAt} ms early`);
    maxLateMs = Math.max(maxLateMs, r.receivedAt - due);
  }
  return { early, maxLateMs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
