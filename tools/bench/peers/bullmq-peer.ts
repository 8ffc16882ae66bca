import { Queue, Worker } from 'bullmq';
import { callTarget } from './call-target';
import { PeerEnqueuer, PeerJob, PeerWorker } from './peer-job';

const QUEUE = 'bench-calls';

/** BullMQ takes jobs with blocking Redis commands, so it has no polling interval to tune. */
export const describeBullmq = (concurrency: number, prefix: string) =>
  `Worker concurrency ${concurrency}, blocking fetch (no polling), Redis key prefix ${prefix}`;

const connectionOf = (redisUrl: string) => {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    db: Number(url.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
  };
};

export async function bullmqEnqueuer(redisUrl: string, prefix: string): Promise<PeerEnqueuer> {
  const queue = new Queue(QUEUE, { connection: connectionOf(redisUrl), prefix });
  await queue.waitUntilReady();
  return {
    enqueue: async (job: PeerJob) => {
      await queue.add('call', job, { removeOnComplete: true, removeOnFail: 1_000 });
    },
    close: async () => {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    },
  };
}

export async function runBullmqWorker(redisUrl: string, prefix: string, concurrency: number): Promise<PeerWorker> {
  const worker = new Worker<PeerJob>(QUEUE, async (job) => callTarget(job.data, concurrency), {
    connection: connectionOf(redisUrl),
    prefix,
    concurrency,
  });
  worker.on('error', (e) => process.stderr.write(`bullmq: ${e.message}\n`));
  await worker.waitUntilReady();
  return { stop: () => worker.close() };
}
