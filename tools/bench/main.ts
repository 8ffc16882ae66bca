import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { BenchReportData, PeerRun } from './bench-report-data';
import { readBenchSettings } from './bench-settings';
import { BenchTarget } from './bench-target';
import { startDurablePostgres } from './durable-postgres';
import { handOverToImageNode } from './image-node-handover';
import { invariantViolations } from './invariant-violations';
import { machineInfo, packageVersion } from './machine-info';
import { wakeUpCpuMicros } from './wake-up-cost';
import { runPeerPhases } from './peers/peer-phases';
import { renderReport } from './render-report';
import { runSchedulerPhases, SchedulerFigures } from './scheduler-phases';
import { writeReportData } from './write-report-data';

const say = (line: string) => process.stdout.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${line}\n`);

/**
 * `npm run bench`: the performance report of DESIGN §10. Everything runs on 127.0.0.1, every loop is
 * bounded, and everything it started is stopped before it exits.
 */
async function main(): Promise<number> {
  const settings = readBenchSettings(process.env);
  const handedOver = await handOverToImageNode(settings.node, say);
  if (handedOver !== undefined) return handedOver;
  const startedAt = new Date().toISOString();
  const machine = { ...machineInfo(), wakeUpCpuMicros: await wakeUpCpuMicros() };
  say(
    `phases ${settings.phases.join(',')}; rates ${settings.rates.join(',')}/s for ${settings.seconds} s${settings.quick ? ' (quick trial)' : ''}; ${machine.cores} cores, load ${machine.loadAverageAtStart}, ${machine.wakeUpCpuMicros} µs of CPU per wake-up of an idle process`,
  );
  const errors: string[] = [];
  const target = new BenchTarget(settings.slowDelayMs);
  const targetUrl = await target.start();
  const postgres = await startDurablePostgres(settings.allowNonDurablePostgres, say);
  let scheduler: SchedulerFigures | undefined;
  let peers: PeerRun[] | undefined;
  try {
    if (settings.phases.some((p) => p !== 'peers')) {
      scheduler = await runSchedulerPhases(
        postgres.server.address,
        postgres.facts.postmasterPid,
        settings,
        target,
        targetUrl,
        errors,
        say,
      );
    }
    if (settings.phases.includes('peers')) {
      peers = await runPeerPhases(
        postgres.server.address,
        postgres.facts.postmasterPid,
        settings,
        target,
        targetUrl,
        errors,
        say,
      );
    }
  } finally {
    await postgres.server.stop();
    await target.stop();
  }
  errors.push(
    ...invariantViolations({
      sweep: scheduler?.sweep,
      slowTarget: scheduler?.slowTarget,
      sameSecondTimers: scheduler?.sameSecondTimers,
      latenessUnderLoad: scheduler?.latenessUnderLoad,
      peers,
    }),
  );
  const data: BenchReportData = {
    kind: 'service-call-scheduler-bench',
    schemaVersion: 1,
    trial: settings.quick || process.env.BENCH_TRIAL === '1',
    startedAt,
    finishedAt: new Date().toISOString(),
    gitCommit: gitCommit(),
    machine,
    versions: {
      node: process.version,
      postgres: postgres.facts.version,
      kafka: scheduler?.broker ?? 'not started',
      kafkajs: packageVersion('kafkajs'),
      undici: packageVersion('undici'),
      'pg-boss': packageVersion('pg-boss'),
      'graphile-worker': packageVersion('graphile-worker'),
      bullmq: packageVersion('bullmq'),
    },
    postgres: {
      description: postgres.server.description,
      fsync: postgres.facts.fsync,
      synchronousCommit: postgres.facts.synchronousCommit,
    },
    broker: scheduler?.broker ?? 'not started',
    settings,
    cpuMethod:
      'utime+stime (+ reaped children) from /proc/<pid>/stat at the start and end of each rate window; Postgres = postmaster and all its children (for a peer, this includes its enqueue statements), except the backend serving the bench’s own queries for the scheduler (its read-model watcher), which is bench-postgres; apps = their node process; kafka = the JVM listening on the broker port; redis = redis-server (shared with anything else using it); worker = the worker process of a peer; bench = this process (load generator, target and read-model watcher); bench and bench-postgres are left out of the totals; context switches = voluntary + involuntary of every thread, from /proc/<pid>/task/*/status; per call = window CPU / calls completed in the window; net = minus idle CPU/s measured before the load',
    sweep: scheduler?.sweep,
    slowTarget: scheduler?.slowTarget,
    sameSecondTimers: scheduler?.sameSecondTimers,
    latenessUnderLoad: scheduler?.latenessUnderLoad,
    peers,
    errors,
  };
  say(`wrote ${writeReportData(data)} and docs/benchmarks/latest.json`);
  renderReport(data);
  say('rendered docs/benchmarks.md and its two charts from it');
  if (errors.length > 0) throw new Error(`failed or violated: ${errors.join('; ')}`);
  return 0;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
