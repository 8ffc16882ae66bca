import { backlogGrowthPerSecond, BacklogSample } from './backlog-growth';
import { BenchTarget } from './bench-target';
import { snapshotSwitches, switchesPerCall } from './context-switches';
import { cpuPerCall, CpuPerCall } from './cpu-per-call';
import { watchEventLoopDelay } from './event-loop-delay';
import { hopLatencies } from './hop-latency';
import { LoadSubject } from './load-subject';
import { machineBusy, readMachineCpu } from './machine-cpu';
import { driveOpenLoop } from './open-loop-driver';
import { openLoopOffsets } from './open-loop-schedule';
import { summarize } from './percentiles';
import { CpuGroup, readAllProcStats, snapshotCpu, ticksPerSecond } from './process-cpu';
import { Backlog, RateResult } from './rate-result';
import { sleep, sleepUntil, waitUntil } from './sleep';
import { isSustained } from './sustained-rate';

interface CallRecord {
  intendedAt: number;
  answeredAt?: number;
  status?: number;
  key?: string;
  error?: string;
}

export interface RateRunOptions {
  readonly subject: LoadSubject;
  readonly target: BenchTarget;
  readonly path: string;
  readonly cpuGroups: readonly CpuGroup[];
  readonly idleMsPerSecond: Readonly<Record<string, number>>;
  readonly rate: number;
  readonly seconds: number;
  readonly drainMs: number;
}

/** One open-loop window at a fixed rate, then a bounded drain; every figure from intended send times. */
export async function runRate(o: RateRunOptions): Promise<RateResult> {
  const offsets = openLoopOffsets(o.rate, o.seconds);
  const calls: CallRecord[] = offsets.map(() => ({ intendedAt: 0 }));
  const accepted = () => calls.filter((c) => c.key !== undefined);
  const backlogAt = (at: number): Backlog => {
    const acc = accepted().filter((c) => c.answeredAt! <= at);
    return {
      notAtTarget: acc.filter((c) => !(o.target.firstArrival(c.key!)! <= at)).length,
      notCompleted: acc.filter((c) => !(o.subject.completedAt(c.key!)! <= at)).length,
    };
  };

  // Scraped before the start is fixed: the first sends must not wait for the apps' answers.
  const hopsBefore = await o.subject.hopSnapshot?.();
  const startAt = Date.now() + 100;
  const windowEnd = startAt + o.seconds * 1000;
  await sleepUntil(startAt);
  const machineBefore = readMachineCpu();
  const statsBefore = readAllProcStats();
  const before = snapshotCpu(o.cpuGroups, statsBefore);
  const switchesBefore = snapshotSwitches(o.cpuGroups, statsBefore);
  const loopDelay = watchEventLoopDelay();
  const samples: BacklogSample[] = [];
  const sampling = (async () => {
    for (let s = 1; Date.now() < windowEnd; s++) {
      await sleepUntil(Math.min(windowEnd, startAt + s * 1000));
      const now = Date.now();
      samples.push({ atMs: now - startAt, backlog: backlogAt(now).notCompleted });
    }
  })();
  const driving = driveOpenLoop(offsets, startAt, async (i, intendedAt) => {
    const call = calls[i];
    call.intendedAt = intendedAt;
    try {
      const answer = await o.subject.submit(o.path);
      call.answeredAt = Date.now();
      call.status = answer.status;
      call.key = answer.key;
    } catch (error) {
      call.answeredAt = Date.now();
      call.error = error instanceof Error ? error.name : 'error';
    }
  });
  await sleepUntil(windowEnd);
  const benchLoopDelayMs = loopDelay.stop();
  const statsAfter = readAllProcStats();
  const machineAfter = readMachineCpu();
  const after = snapshotCpu(o.cpuGroups, statsAfter);
  const switchesAfter = snapshotSwitches(o.cpuGroups, statsAfter);
  const measuredEnd = Date.now();
  const hopsAfter = await o.subject.hopSnapshot?.();
  await sampling;
  const atWindowEnd = backlogAt(measuredEnd);
  const completedInWindow = accepted().filter((c) => o.subject.completedAt(c.key!)! <= measuredEnd).length;

  // Past saturation the gateway still answers submissions long after the window; every call it
  // accepts gets the whole drain wait, or a slow answer would count as a lost call.
  const drainStart = Date.now();
  const answered = () => calls.every((c) => c.answeredAt !== undefined);
  await waitUntil(answered, drainStart + o.drainMs, 100);
  const drained = () => {
    const b = backlogAt(Date.now());
    return answered() && b.notAtTarget === 0 && b.notCompleted === 0;
  };
  await waitUntil(drained, Date.now() + o.drainMs, 100);
  await Promise.race([driving, sleep(1_000)]);
  const drainWaitedMs = Date.now() - drainStart;
  const afterDrain = backlogAt(Date.now());

  const windowMs = measuredEnd - startAt;
  const perSecond = (n: number) => Math.round((n / (windowMs / 1000)) * 100) / 100;
  const acc = accepted();
  const cpu: Record<string, CpuPerCall | null> = {};
  const contextSwitchesPerCall: Record<string, number | null> = {};
  for (const g of o.cpuGroups) {
    contextSwitchesPerCall[g.name] = switchesPerCall(switchesBefore[g.name], switchesAfter[g.name], completedInWindow);
    const [b, a] = [before[g.name], after[g.name]];
    cpu[g.name] =
      b === undefined || a === undefined
        ? null
        : cpuPerCall({
            ticksBefore: b,
            ticksAfter: a,
            windowMs,
            callsCompleted: completedInWindow,
            idleMsPerSecond: o.idleMsPerSecond[g.name] ?? 0,
            ticksPerSecond: ticksPerSecond(),
          });
  }
  const refused: Record<string, number> = {};
  for (const c of calls) {
    const reason =
      c.error ??
      (c.key === undefined && c.status !== undefined
        ? `http ${c.status}`
        : c.answeredAt === undefined
          ? 'no answer'
          : undefined);
    if (reason) refused[reason] = (refused[reason] ?? 0) + 1;
  }
  const toTarget = acc
    .map((c) => o.target.firstArrival(c.key!))
    .map((t, i) => (t === undefined ? undefined : t - acc[i].intendedAt));
  const toCompleted = acc
    .map((c) => o.subject.completedAt(c.key!))
    .map((t, i) => (t === undefined ? undefined : t - acc[i].intendedAt));
  const submitToTargetMs = summarize(toTarget.filter((v): v is number => v !== undefined));
  const growth = backlogGrowthPerSecond(samples);
  const result = {
    offeredRate: o.rate,
    seconds: o.seconds,
    offered: offsets.length,
    accepted: acc.length,
    refused,
    submittedPerSecond: perSecond(acc.filter((c) => c.answeredAt! <= measuredEnd).length),
    atTargetPerSecond: perSecond(acc.filter((c) => o.target.firstArrival(c.key!)! <= measuredEnd).length),
    completedPerSecond: perSecond(completedInWindow),
    completedInWindow,
    acceptLatencyMs: summarize(acc.map((c) => c.answeredAt! - c.intendedAt)),
    submitToTargetMs,
    submitToCompletedMs: summarize(toCompleted.filter((v): v is number => v !== undefined)),
    backlogAtWindowEnd: atWindowEnd,
    backlogGrowthPerSecond: growth,
    backlogAfterDrain: afterDrain,
    drainWaitedMs,
    duplicates: acc.reduce((sum, c) => sum + Math.max(0, o.target.arrivalCount(c.key!) - 1), 0),
    lost: afterDrain,
  };
  return {
    ...result,
    cpu,
    contextSwitchesPerCall,
    benchLoopDelayMs,
    machine: machineBusy(machineBefore, machineAfter),
    ...(hopsBefore && hopsAfter ? { hopLatency: hopLatencies(hopsBefore, hopsAfter) } : {}),
    sustained: isSustained({
      offeredRate: o.rate,
      offered: offsets.length,
      completedInWindow,
      backlogGrowthPerSecond: growth,
      p99ToTargetMs: submitToTargetMs.p99,
    }),
  };
}
