import { hopsLine } from './hop-latency';
import { TEST_API_KEY } from '../../test/support/running-system';
import { BenchSettings } from './bench-settings';
import { BenchTarget } from './bench-target';
import { GatewayClient } from './gateway-client';
import { measureIdleCpu } from './idle-cpu';
import { CpuGroup } from './process-cpu';
import { runRate } from './rate-run';
import { LatenessUnderLoadResult, runLatenessUnderLoad } from './lateness-under-load-run';
import { ReadModelWatcher } from './read-model-watcher';
import { runSameSecondTimers, SameSecondTimersResult } from './same-second-timers-run';
import { ScenarioContext } from './scenario-context';
import { schedulerSubject } from './scheduler-subject';
import { startSchedulerUnderTest } from './scheduler-under-test';
import { sleep, waitUntil } from './sleep';
import { runSlowTarget, SlowTargetResult } from './slow-target-run';
import { runSweep, SweepResult } from './sweep';

/**
 * Load nobody measures, so that the figures describe a system in its steady state: in the first
 * minute Kafka's JVM compiles its hot paths (8.0 ms of broker CPU per call at 50/s as the first rate
 * of a cold run, 4.8 ms after a warm-up) and V8 optimises the apps', which charged the first rate of a sweep with start-up
 * costs a running service does not pay again.
 */
async function warmUp(cpuGroups: readonly CpuGroup[], ctx: ScenarioContext, settings: BenchSettings): Promise<void> {
  ctx.say(`warm-up: ${settings.warmupRate}/s for ${settings.warmupSeconds} s (not measured)`);
  const r = await runRate({
    subject: schedulerSubject(ctx.gateway, ctx.watcher, ctx.targetUrl, ctx.metricsUrls),
    target: ctx.target,
    path: '/fast',
    cpuGroups,
    idleMsPerSecond: {},
    rate: settings.warmupRate,
    seconds: settings.warmupSeconds,
    drainMs: settings.drainSeconds * 1000,
  });
  ctx.say(`  warm-up accepted ${r.accepted}/${r.offered}, completed ${r.completedPerSecond}/s`);
  await sleep(settings.settleSeconds * 1000);
}

export interface SchedulerFigures {
  readonly broker: string;
  sweep?: SweepResult;
  slowTarget?: SlowTargetResult;
  sameSecondTimers?: SameSecondTimersResult;
  latenessUnderLoad?: LatenessUnderLoadResult;
}

/** Starts the scheduler, runs the asked-for scheduler phases in order, and stops it again. */
export async function runSchedulerPhases(
  postgresUrl: string,
  postmasterPid: number | undefined,
  settings: BenchSettings,
  target: BenchTarget,
  targetUrl: string,
  errors: string[],
  say: (line: string) => void,
): Promise<SchedulerFigures> {
  const sut = await startSchedulerUnderTest(postgresUrl, postmasterPid, settings, say);
  const gateway = new GatewayClient(sut.system.baseUrl, TEST_API_KEY, settings.httpConnections);
  const watcher = new ReadModelWatcher(sut.db, 'tenant-a');
  watcher.start();
  const figures: SchedulerFigures = { broker: sut.broker.description };
  const metricsUrls = sut.system.apps.map((a) => `http://127.0.0.1:${a.port}/metrics`);
  const ctx: ScenarioContext = { gateway, watcher, target, targetUrl, metricsUrls, say };
  const phase = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      say(`${name} failed: ${String(error)}`);
    }
  };
  try {
    const warm = await gateway.submit(`${targetUrl}/fast`);
    if (!warm.id) throw new Error(`warm-up call answered ${warm.status}`);
    watcher.watch(warm.id);
    await waitUntil(() => watcher.succeededAt(warm.id!) !== undefined, Date.now() + 60_000);
    await sleep(settings.settleSeconds * 1000);
    if (settings.warmupSeconds > 0) await warmUp(sut.cpuGroups, ctx, settings);
    if (settings.phases.includes('sweep')) {
      await phase('sweep', async () => {
        say(`idle CPU for ${settings.idleSeconds} s`);
        const idle = await measureIdleCpu(sut.cpuGroups, settings.idleSeconds);
        figures.sweep = await runSweep({
          subject: schedulerSubject(gateway, watcher, targetUrl, ctx.metricsUrls),
          target,
          cpuGroups: sut.cpuGroups,
          idleCpuMsPerSecond: idle,
          rates: settings.rates,
          seconds: settings.seconds,
          drainSeconds: settings.drainSeconds,
          settleSeconds: settings.settleSeconds,
          say,
        });
        say(`highest sustained rate: ${figures.sweep.highestSustainedRate ?? 'none'}`);
      });
    }
    if (settings.phases.includes('slow')) {
      await phase('slow', async () => {
        say(`slow target: ${settings.slowCalls} calls answered after ${settings.slowDelayMs} ms`);
        figures.slowTarget = await runSlowTarget(ctx, settings.slowCalls, settings.slowDelayMs, 64);
        say(
          `  all at target after ${figures.slowTarget.allAtTargetMs} ms; fast call to target ${figures.slowTarget.fastCall.toTargetMs} ms`,
        );
      });
    }
    if (settings.phases.includes('timers')) {
      await phase('timers', async () => {
        say(
          `same-second timers: ${settings.timerCalls} calls due in one second, at least ${settings.timerLeadSeconds} s ahead`,
        );
        figures.sameSecondTimers = await runSameSecondTimers(ctx, settings.timerCalls, settings.timerLeadSeconds, 64);
        say(
          `  all at target ${figures.sameSecondTimers.allAtTargetAfterDueMs} ms after the due second began; early ${figures.sameSecondTimers.early}`,
        );
        if (figures.sameSecondTimers.submittedAfterDue > 0)
          say(
            `  WARNING: ${figures.sameSecondTimers.submittedAfterDue} calls were accepted after their dueAt; raise BENCH_TIMER_LEAD_SECONDS`,
          );
      });
    }
    if (settings.phases.includes('lateness')) {
      await phase('lateness', async () => {
        say(
          `lateness: ${settings.latenessScheduledRate} scheduled/s with ${settings.latenessImmediateRate} immediate/s for ${settings.latenessSeconds} s`,
        );
        figures.latenessUnderLoad = await runLatenessUnderLoad(
          ctx,
          settings.latenessScheduledRate,
          settings.latenessImmediateRate,
          settings.latenessSeconds,
          settings.latenessLeadMs,
          settings.drainSeconds * 1000,
        );
        const l = figures.latenessUnderLoad.latenessMs;
        say(`  lateness p50 ${l.p50} p99 ${l.p99} max ${l.max} ms; early ${figures.latenessUnderLoad.early}`);
        const hops = figures.latenessUnderLoad.hopLatency;
        if (hops?.length) say(`  ${hopsLine(hops)}`);
        if (figures.latenessUnderLoad.acceptedAfterDue > 0)
          say(
            `  WARNING: ${figures.latenessUnderLoad.acceptedAfterDue} scheduled calls were accepted after their dueAt (202 slower than BENCH_LATENESS_LEAD_MS)`,
          );
      });
    }
  } finally {
    await watcher.stop();
    await gateway.close();
    await sut.stop();
  }
  return figures;
}
