import PgBoss from 'pg-boss';
import { callTarget } from './call-target';
import { PeerEnqueuer, PeerJob, PeerMode, PeerWorker } from './peer-job';

const QUEUE = 'bench-calls';

/** pg-boss polls: 2 s by default; tuned = its minimum, 0.5 s. A batch of `concurrency` jobs per fetch, run at once. */
export const pgBossSettings = (mode: PeerMode, concurrency: number) => ({
  batchSize: concurrency,
  ...(mode === 'tuned' ? { pollingIntervalSeconds: 0.5 } : {}),
});

export const describePgBoss = (mode: PeerMode, concurrency: number) =>
  `work() batchSize ${concurrency} (run concurrently), polling ${mode === 'tuned' ? '0.5 s (minimum)' : '2 s (default)'}, own database`;

export async function pgBossEnqueuer(databaseUrl: string): Promise<PeerEnqueuer> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 20, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(QUEUE);
  return {
    enqueue: async (job: PeerJob) => {
      await boss.send(QUEUE, job);
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

export async function runPgBossWorker(databaseUrl: string, mode: PeerMode, concurrency: number): Promise<PeerWorker> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 10, schedule: false });
  boss.on('error', (e: Error) => process.stderr.write(`pg-boss: ${e.message}\n`));
  await boss.start();
  await boss.createQueue(QUEUE);
  // A batch succeeds or fails as a whole in pg-boss; failing only the jobs whose call failed keeps a
  // neighbour's failure from re-running calls that already reached the target.
  await boss.work<PeerJob>(QUEUE, pgBossSettings(mode, concurrency), async (jobs) => {
    const outcomes = await Promise.allSettled(jobs.map((j) => callTarget(j.data, concurrency)));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'rejected') await boss.fail(QUEUE, jobs[i].id, { message: String(outcome.reason) });
    }
  });
  return { stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }) };
}
