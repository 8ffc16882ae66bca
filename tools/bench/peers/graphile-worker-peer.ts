import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { Pool } from 'pg';
import { callTarget } from './call-target';
import { PeerEnqueuer, PeerJob, PeerMode, PeerWorker } from './peer-job';

const quiet = new Logger(() => (level, message) => {
  if (String(level) === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
});

/** graphile-worker always LISTENs for new jobs; it also polls, every 2 s by default, 100 ms tuned. */
export const graphilePollIntervalMs = (mode: PeerMode) => (mode === 'tuned' ? 100 : 2_000);

export const describeGraphileWorker = (mode: PeerMode, concurrency: number) =>
  `concurrency ${concurrency}, LISTEN/NOTIFY plus polling every ${graphilePollIntervalMs(mode)} ms${mode === 'default' ? ' (default)' : ''}, own database`;

export async function graphileWorkerEnqueuer(databaseUrl: string): Promise<PeerEnqueuer> {
  // Our own pool, so that it keeps an error listener after release: enqueues still queued when a
  // rate outruns the peer get their connections terminated when its database is dropped, and an
  // idle client's error on a pool without a listener would end the whole bench.
  const pool = new Pool({ connectionString: databaseUrl });
  pool.on('error', () => undefined);
  const utils = await makeWorkerUtils({ pgPool: pool, logger: quiet });
  await utils.migrate();
  return {
    enqueue: async (job: PeerJob) => {
      await utils.addJob('call', job);
    },
    close: async () => {
      await utils.release();
      await pool.end();
    },
  };
}

export async function runGraphileWorker(databaseUrl: string, mode: PeerMode, concurrency: number): Promise<PeerWorker> {
  const runner = await run({
    connectionString: databaseUrl,
    concurrency,
    pollInterval: graphilePollIntervalMs(mode),
    noHandleSignals: true,
    logger: quiet,
    taskList: { call: async (payload) => callTarget(payload as PeerJob, concurrency) },
  });
  return { stop: () => runner.stop() };
}
