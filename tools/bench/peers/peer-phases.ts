import { randomBytes, randomUUID } from 'node:crypto';
import { createBenchDatabase } from '../bench-database';
import { PeerRun } from '../bench-report-data';
import { BenchSettings } from '../bench-settings';
import { BenchTarget } from '../bench-target';
import { measureIdleCpu } from '../idle-cpu';
import { listeningPid } from '../listening-pid';
import { LoadSubject } from '../load-subject';
import { packageVersion } from '../machine-info';
import { CpuGroup } from '../process-cpu';
import { runSweep } from '../sweep';
import { bullmqEnqueuer, describeBullmq } from './bullmq-peer';
import { describeGraphileWorker, graphileWorkerEnqueuer } from './graphile-worker-peer';
import { PeerEnqueuer, PeerMode, PeerName } from './peer-job';
import { startPeerWorkerProcess } from './peer-worker-process';
import { describePgBoss, pgBossEnqueuer } from './pg-boss-peer';
import { redisAnswers } from './redis-answers';

interface PeerPlan {
  readonly peer: PeerName;
  readonly mode: PeerMode;
}

const PLANS: readonly PeerPlan[] = [
  { peer: 'pg-boss', mode: 'default' },
  { peer: 'pg-boss', mode: 'tuned' },
  { peer: 'graphile-worker', mode: 'default' },
  { peer: 'graphile-worker', mode: 'tuned' },
  { peer: 'bullmq', mode: 'default' },
];

/** The same open-loop sweep against each peer job queue, on the same Postgres (or Redis), target and HTTP client. */
export async function runPeerPhases(
  postgresUrl: string,
  postmasterPid: number | undefined,
  settings: BenchSettings,
  target: BenchTarget,
  targetUrl: string,
  errors: string[],
  say: (line: string) => void,
): Promise<PeerRun[]> {
  const runs: PeerRun[] = [];
  const redisUp = await redisAnswers(settings.redisUrl);
  for (const plan of PLANS) {
    const version = packageVersion(plan.peer);
    if (plan.peer === 'bullmq' && !redisUp) {
      say(`bullmq: no Redis answers at ${settings.redisUrl}; skipped`);
      runs.push({ ...plan, version, settings: '', skipped: `no Redis answered at ${settings.redisUrl}` });
      continue;
    }
    try {
      runs.push(await runOnePeer(plan, version, postgresUrl, postmasterPid, settings, target, targetUrl, say));
    } catch (error) {
      const message = `${plan.peer} ${plan.mode}: ${error instanceof Error ? error.message : String(error)}`;
      errors.push(message);
      say(`${message}`);
      runs.push({ ...plan, version, settings: '', skipped: message });
    }
  }
  return runs;
}

async function runOnePeer(
  plan: PeerPlan,
  version: string,
  postgresUrl: string,
  postmasterPid: number | undefined,
  settings: BenchSettings,
  target: BenchTarget,
  targetUrl: string,
  say: (line: string) => void,
): Promise<PeerRun> {
  const concurrency = settings.peerConcurrency;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let storeUrl: string;
    let storeGroup: CpuGroup | undefined;
    let description: string;
    const prefix = `bench-${randomBytes(3).toString('hex')}`;
    if (plan.peer === 'bullmq') {
      storeUrl = settings.redisUrl;
      const redisPid = listeningPid(Number(new URL(storeUrl).port || 6379));
      storeGroup = redisPid ? { name: 'redis', pid: redisPid, withDescendants: true } : undefined;
      description = describeBullmq(concurrency, prefix);
    } else {
      const db = await createBenchDatabase(postgresUrl, `${plan.peer}_${plan.mode}`);
      cleanups.push(() => db.drop());
      storeUrl = db.url;
      storeGroup = postmasterPid ? { name: 'postgres', pid: postmasterPid, withDescendants: true } : undefined;
      description =
        plan.peer === 'pg-boss' ? describePgBoss(plan.mode, concurrency) : describeGraphileWorker(plan.mode, concurrency);
    }
    say(`${plan.peer} ${version} (${plan.mode}): ${description}`);
    const enqueuer: PeerEnqueuer =
      plan.peer === 'pg-boss'
        ? await pgBossEnqueuer(storeUrl)
        : plan.peer === 'graphile-worker'
          ? await graphileWorkerEnqueuer(storeUrl)
          : await bullmqEnqueuer(storeUrl, prefix);
    cleanups.push(() => enqueuer.close());
    const worker = await startPeerWorkerProcess(
      {
        PEER: plan.peer,
        PEER_MODE: plan.mode,
        PEER_STORE_URL: storeUrl,
        PEER_CONCURRENCY: String(concurrency),
        PEER_PREFIX: prefix,
      },
      say,
    );
    cleanups.push(() => worker.stop());
    const cpuGroups: CpuGroup[] = [
      { name: 'worker', pid: worker.pid, withDescendants: true },
      ...(storeGroup ? [storeGroup] : []),
      { name: 'bench', pid: process.pid, withDescendants: false },
    ];
    const idle = await measureIdleCpu(cpuGroups, settings.idleSeconds);
    const subject: LoadSubject = {
      name: `${plan.peer} (${plan.mode})`,
      completion: 'reached the target (the worker marks the job complete after the answer)',
      submit: async (path) => {
        const key = randomUUID();
        await enqueuer.enqueue({ url: `${targetUrl}${path}`, key });
        return { status: 200, key };
      },
      completedAt: (key) => target.firstArrival(key),
    };
    const sweep = await runSweep({
      subject,
      target,
      cpuGroups,
      idleCpuMsPerSecond: idle,
      rates: settings.peerRates,
      seconds: settings.peerSeconds,
      drainSeconds: settings.drainSeconds,
      settleSeconds: settings.settleSeconds,
      say,
    });
    return { ...plan, version, settings: description, sweep };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => say(`  cleanup: ${String(e)}`));
  }
}
