import { runBullmqWorker } from './bullmq-peer';
import { runGraphileWorker } from './graphile-worker-peer';
import { PeerMode, PeerName, PeerWorker } from './peer-job';
import { runPgBossWorker } from './pg-boss-peer';

/**
 * A peer's worker as its own process, so its CPU is measured apart from the load generator.
 * PEER, PEER_MODE, PEER_STORE_URL, PEER_CONCURRENCY (and PEER_PREFIX for BullMQ) say what to run;
 * it prints "ready" once it takes jobs and stops on SIGTERM.
 */
async function main(): Promise<void> {
  const peer = process.env.PEER as PeerName;
  const mode = (process.env.PEER_MODE ?? 'default') as PeerMode;
  const url = process.env.PEER_STORE_URL ?? '';
  const concurrency = Number(process.env.PEER_CONCURRENCY ?? 100);
  const worker: PeerWorker =
    peer === 'pg-boss'
      ? await runPgBossWorker(url, mode, concurrency)
      : peer === 'graphile-worker'
        ? await runGraphileWorker(url, mode, concurrency)
        : peer === 'bullmq'
          ? await runBullmqWorker(url, process.env.PEER_PREFIX ?? 'bench', concurrency)
          : unknownPeer(peer);
  process.stdout.write('ready\n');
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 15_000);
    void worker.stop().finally(() => {
      clearTimeout(force);
      process.exit(0);
    });
  });
}

function unknownPeer(peer: string): never {
  throw new Error(`PEER must be pg-boss, graphile-worker or bullmq, got "${peer}"`);
}

main().catch((error) => {
  process.stderr.write(`peer worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
