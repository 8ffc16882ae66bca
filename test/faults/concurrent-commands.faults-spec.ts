import { randomUUID } from 'node:crypto';
import { DEFAULT_TIMER_LEAD_MS } from '../../apps/scheduler-core/src/timers/timer-lead';
import { ApiClient } from '../support/api-client';
import { RecordingTarget } from '../support/recording-target';
import { FAULTS_API_KEY, FaultSystem } from './support/fault-system';
import { settleAndCheck } from './support/settle-and-check';

/**
 * Scenario 8: 50 concurrent commands on one call around its timer: 25 cancels racing the timer
 * and 25 replays of the same submit (same Idempotency-Key). Done for 6 calls. Each call ends in
 * one terminal state with contiguous versions; a cancelled call never reaches the target, a call
 * that ran reaches it once.
 */
describe('fault: 50 concurrent commands on one call at its dueAt', () => {
  let system: FaultSystem;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 204 }));
    targetUrl = await target.start();
    system = await FaultSystem.start('concurrent-commands');
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  it('ends each call in exactly one terminal state', async () => {
    const api = new ApiClient(system.baseUrl, FAULTS_API_KEY);
    const calls = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (i) => {
        const key = randomUUID();
        const dueAt = Date.now() + 4_000 + i * 300;
        const body = { target: { method: 'POST', url: `${targetUrl}/race/${i}` }, dueAt: new Date(dueAt).toISOString() };
        const first = await api.submit(body, { idempotencyKey: key });
        return { key, dueAt, body, id: first.body.data.id as string };
      }),
    );
    const answers: Record<string, number> = {};
    const count = (what: string) => {
      answers[what] = (answers[what] ?? 0) + 1;
    };
    await Promise.all(
      calls.map(async (c, i) => {
        // Each call's burst of 50 commands spans 200 ms and starts at a different point around the
        // moment its timer fires, one lead before its dueAt (from 240 ms before to 160 ms after), so
        // some calls' first cancel beats the timer, some lands right on it, and some come too late;
        // replays run all the way through.
        const firesAt = c.dueAt - DEFAULT_TIMER_LEAD_MS;
        await Promise.all(
          Array.from({ length: 50 }, async (_, j) => {
            await sleep(firesAt + (i - 3) * 80 + j * 4 - Date.now());
            if (j % 2 === 0) {
              const res = await api.request('DELETE', `/v1/service-calls/${c.id}`);
              count(`cancel ${res.status}${res.body?.error?.code ? ` ${res.body.error.code}` : ''}`);
            } else {
              const res = await api.submit(c.body, { idempotencyKey: c.key });
              count(`replay ${res.status}${res.body?.data?.id === c.id ? ' same id' : ' other id'}`);
            }
          }),
        );
        return i;
      }),
    );
    const outcome = await settleAndCheck({
      scenario: '08-concurrent-commands',
      system,
      accepted: calls.map((c) => c.id),
      target,
      faultEndedAt: Date.now(),
      figures: { calls: calls.length, commandsPerCall: 50, answers },
    });

    expect(outcome.violations).toEqual([]);
    const db = await import('pg').then(({ Client }) => new Client({ connectionString: system.databaseUrl }));
    await db.connect();
    const { rows } = await db.query(`SELECT id, status FROM projector.service_calls WHERE id = ANY($1::text[])`, [
      calls.map((c) => c.id),
    ]);
    await db.end();
    for (const row of rows as { id: string; status: string }[]) {
      const requests = target.received.filter((r) => r.headers['idempotency-key'] === row.id).length;
      expect({ id: row.id, status: row.status, requests }).toEqual({
        id: row.id,
        status: row.status,
        requests: row.status === 'Cancelled' ? 0 : 1,
      });
    }
    expect(
      Object.keys(answers).filter((a) => a.startsWith('replay') && a !== 'replay 202 same id' && a !== 'replay 200 same id'),
    ).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
