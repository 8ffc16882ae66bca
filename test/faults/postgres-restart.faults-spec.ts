import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { checkInvariants, summarize, violations, waitUntilSettled } from './support/invariants';
import { runOpenLoopLoad } from './support/open-loop-load';
import { recordScenario } from './support/scenario-record';

/**
 * Scenario 4 (issue 7's acceptance point): Postgres goes away for 15 s under 50 calls/s and comes
 * back on the same port and data. The load runs 30 s, Postgres is down from t≈4 s to t≈19 s, so the
 * load sees the system before, during and after. The gateway answers 503 with Retry-After while it
 * cannot store (those calls are not accepted) and accepts again once Postgres is back; nothing
 * accepted is lost or stuck, nothing is dead-lettered (a database outage is transient, §9), and no
 * app dies.
 */
const RATE_PER_SECOND = 50;
/** Long enough that the load outlasts the restart by several seconds even when a loaded machine delays the fault. */
const LOAD_MS = 30_000;
const OUTAGE_MS = 15_000;

describe('fault: Postgres restart under load', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('postgres-restart');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('loses nothing, leaves nothing stuck, dead-letters nothing, and answers 503 + Retry-After while down', async () => {
    const started = Date.now();
    const load = runOpenLoopLoad({
      baseUrl: system.baseUrl,
      apiKey: FAULTS_API_KEY,
      ratePerSecond: RATE_PER_SECOND,
      durationMs: LOAD_MS,
      body: (i) => ({ target: { method: 'POST', url: `${targetUrl}/pg/${i}` } }),
    });
    await sleep(4_000);
    system.note('stopping Postgres');
    await system.postgres.stop();
    const downAt = Date.now();
    await sleep(OUTAGE_MS);
    await system.postgres.start();
    const upAt = Date.now();
    system.note('Postgres started again');
    const result = await load;
    const loadEndedAt = Date.now();
    const acceptedAfterRestart = result.acceptedAt.filter((t) => t >= upAt).sort((a, b) => a - b);
    const settle = await waitUntilSettled(system.databaseUrl, result.accepted, 60_000);
    const settledAt = Date.now();
    const report = await checkInvariants({
      databaseUrl: system.databaseUrl,
      brokers: system.kafka.address,
      topicPrefix: system.topicPrefix,
      accepted: result.accepted,
      target,
    });
    const exited = [...system.apps.values()]
      .filter((a) => a.process.exitCode !== null || a.process.signalCode !== null)
      .map((a) => a.name);
    recordScenario('04-postgres-restart', {
      load: { sent: result.sent, ratePerSecond: RATE_PER_SECOND, durationMs: LOAD_MS },
      outage: { downMs: upAt - downAt, downAtMs: downAt - started, loadEndedAfterRestartMs: loadEndedAt - upAt },
      answers: {
        accepted: result.accepted.length,
        acceptedBeforeOutage: result.acceptedAt.filter((t) => t < downAt).length,
        acceptedAfterRestart: acceptedAfterRestart.length,
        firstAcceptedAfterRestartMs: acceptedAfterRestart.length > 0 ? acceptedAfterRestart[0] - upAt : null,
        unavailable503: result.unavailable,
        withRetryAfter: result.unavailableWithRetryAfter,
        other: result.other,
      },
      settled: settle.settled,
      timeToRecoverMs: settledAt - upAt,
      appsExited: exited,
      ...summarize(report),
      violations: violations(report),
    });

    expect(violations(report)).toEqual([]);
    expect(settle.settled).toBe(true);
    expect(exited).toEqual([]);
    expect(result.unavailable).toBeGreaterThan(0);
    expect(result.unavailableWithRetryAfter).toBe(result.unavailable);
    expect(result.other).toEqual({});
    expect(result.accepted.length + result.unavailable).toBe(result.sent);
    // Once Postgres is back, the gateway stores again (a gateway stuck on 503 would pass everything above).
    expect(acceptedAfterRestart.length).toBeGreaterThan(0);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
