import { BenchReportData } from './bench-report-data';
import { totalCpuMsPerCall } from './cpu-per-call';
import { markdownTable } from './markdown-table';

interface Floor {
  readonly floor: string;
  /** What this run measured, or undefined when the phase that measures it did not run. */
  readonly measured: string | undefined;
  readonly held: boolean;
}

/**
 * The acceptance floors of issue 6 on a 2-core machine, checked against one run. They are figures
 * of a machine, not invariants: missing one does not make the run exit non-zero.
 */
export function floors(d: BenchReportData): Floor[] {
  const rate = (offered: number) => d.sweep?.rates.find((r) => r.offeredRate === offered);
  const at100 = rate(100);
  const at200 = rate(200);
  const at500 = rate(500);
  const slow = d.slowTarget;
  const timers = d.sameSecondTimers;
  const lateness = d.latenessUnderLoad;
  const cpuAt200 = at200 && totalCpuMsPerCall(at200.cpu, 'msPerCall');
  return [
    {
      floor: '100 calls/s: submit → target p50 ≤ 25 ms, p99 ≤ 100 ms',
      measured: at100 && `${at100.submitToTargetMs.p50} / ${at100.submitToTargetMs.p99} ms`,
      held: !!at100 && atMost(at100.submitToTargetMs.p50, 25) && atMost(at100.submitToTargetMs.p99, 100),
    },
    {
      floor: '500 calls/s sustained for 60 s, submit → target p99 ≤ 500 ms',
      measured:
        at500 &&
        `${at500.completedPerSecond}/s completed over ${at500.seconds} s, p99 ${at500.submitToTargetMs.p99} ms${at500.sustained ? '' : ', not sustained'}`,
      held: !!at500 && at500.sustained && at500.seconds >= 60 && atMost(at500.submitToTargetMs.p99, 500),
    },
    {
      floor: '200 calls/s: ≤ 4 ms of CPU per call, all processes',
      measured: cpuAt200 === undefined ? undefined : `${cpuAt200} ms`,
      held: cpuAt200 !== undefined && cpuAt200 <= 4,
    },
    {
      floor: 'slow target: every call there within 10 s; the fast call not held behind them',
      measured: slow && `${ms(slow.allAtTargetMs)}; fast call ${ms(slow.fastCall.toTargetMs)}`,
      held:
        !!slow &&
        slow.notAtTarget === 0 &&
        atMost(slow.allAtTargetMs, 10_000) &&
        slow.fastCall.toTargetMs !== null &&
        slow.fastCall.toTargetMs < slow.targetDelayMs,
    },
    {
      floor: 'same-second timers: all at the target within 10 s, none early',
      measured: timers && `${ms(timers.allAtTargetAfterDueMs)}, ${timers.early} early`,
      held: !!timers && timers.notAtTarget === 0 && timers.early === 0 && atMost(timers.allAtTargetAfterDueMs, 10_000),
    },
    {
      floor: 'lateness under load: p99 ≤ 100 ms, none early',
      measured: lateness && `p99 ${lateness.latenessMs.p99} ms, ${lateness.early} early`,
      held: !!lateness && lateness.notAtTarget === 0 && lateness.early === 0 && atMost(lateness.latenessMs.p99, 100),
    },
  ];
}

/** A figure that exists and is within its bound: an empty summary or a phase that never finished holds nothing. */
const atMost = (v: number | null, bound: number) => v !== null && v <= bound;
const ms = (v: number | null) => (v === null ? 'not all there' : `${v} ms`);

/** The floors as a table: each with what this run measured and whether it held. */
export function floorsTable(d: BenchReportData): string {
  return markdownTable(
    ['floor', 'this run', 'held'],
    floors(d).map((f) => [f.floor, f.measured ?? 'not run', f.measured === undefined ? '–' : f.held ? 'yes' : '**no**']),
  );
}
