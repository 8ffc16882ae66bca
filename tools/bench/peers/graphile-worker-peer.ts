import { Logger, makeWorkerUtils, run } from 'graphile-worker';
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
  const utils = await makeWorkerUtils({ connectionString: databaseUrl, logger: quiet });
  await utils.migrate();
  return {
    enqueue: async (job: PeerJob) => {
      await utils.addJob('call', job);
    },
    close: async () => {
      await utils.release();
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
