import { hopsLine } from './hop-latency';
import { BenchTarget } from './bench-target';
import { LoadSubject } from './load-subject';
import { CpuGroup } from './process-cpu';
import { RateResult } from './rate-result';
import { runRate } from './rate-run';
import { sleep } from './sleep';
import { highestSustainedRate } from './sustained-rate';

export interface SweepResult {
  readonly completion: string;
  readonly idleCpuMsPerSecond: Readonly<Record<string, number>>;
  readonly rates: readonly RateResult[];
  /** Rates not run because an earlier rate left a backlog that did not drain (its figures would be polluted). */
  readonly skippedRates: readonly number[];
  readonly highestSustainedRate: number | null;
}

export interface SweepOptions {
  readonly subject: LoadSubject;
  readonly target: BenchTarget;
  readonly cpuGroups: readonly CpuGroup[];
  readonly idleCpuMsPerSecond: Readonly<Record<string, number>>;
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly drainSeconds: number;
  readonly settleSeconds: number;
  readonly say: (line: string) => void;
}

/** The open-loop rate sweep, lowest rate first, stopping once a rate leaves a backlog that does not drain. */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const results: RateResult[] = [];
  const rates = [...o.rates].sort((a, b) => a - b);
  let skippedRates: number[] = [];
  for (const [i, rate] of rates.entries()) {
    o.say(`${o.subject.name}: ${rate}/s for ${o.seconds} s`);
    const r = await runRate({
      subject: o.subject,
      target: o.target,
      path: '/fast',
      cpuGroups: o.cpuGroups,
      idleMsPerSecond: o.idleCpuMsPerSecond,
      rate,
      seconds: o.seconds,
      drainMs: o.drainSeconds * 1000,
    });
    results.push(r);
    o.say(
      `  accepted ${r.accepted}/${r.offered}, completed ${r.completedPerSecond}/s, p99 to target ${r.submitToTargetMs.p99} ms, backlog at end ${r.backlogAtWindowEnd.notCompleted}, after drain ${r.backlogAfterDrain.notCompleted}, ${r.sustained ? 'sustained' : 'NOT sustained'}${r.machine ? `, machine busy ${r.machine.busyCores} of ${r.machine.cores} cores` : ''}`,
    );
    if (r.hopLatency?.length) o.say(`  ${hopsLine(r.hopLatency)}`);
    if (r.backlogAfterDrain.notCompleted > 0 || r.backlogAfterDrain.notAtTarget > 0) {
      skippedRates = rates.slice(i + 1);
      if (skippedRates.length > 0)
        o.say(`  backlog did not drain in ${o.drainSeconds} s: skipping ${skippedRates.join(', ')}/s`);
      break;
    }
    await sleep(o.settleSeconds * 1000);
  }
  return {
    completion: o.subject.completion,
    idleCpuMsPerSecond: o.idleCpuMsPerSecond,
    rates: results,
    skippedRates,
    highestSustainedRate: highestSustainedRate(results.map(verdictInput)),
  };
}

const verdictInput = (r: RateResult) => ({
  offeredRate: r.offeredRate,
  offered: r.offered,
  completedInWindow: r.completedInWindow,
  backlogGrowthPerSecond: r.backlogGrowthPerSecond,
  p99ToTargetMs: r.submitToTargetMs.p99,
});
