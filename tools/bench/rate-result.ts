import { CpuPerCall } from './cpu-per-call';
import { HopLatency } from './hop-latency';
import { MachineBusy } from './machine-cpu';
import { Summary } from './percentiles';

export interface Backlog {
  /** Accepted but not yet seen at the target. */
  readonly notAtTarget: number;
  /** Accepted but not yet completed (Succeeded in the read model, for the scheduler). */
  readonly notCompleted: number;
}

/** The figures of one offered rate for one system. */
export interface RateResult {
  readonly offeredRate: number;
  readonly seconds: number;
  readonly offered: number;
  /** Accepted answers (202 for the scheduler, an enqueued job for a peer) over the whole run. */
  readonly accepted: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly submittedPerSecond: number;
  readonly atTargetPerSecond: number;
  readonly completedPerSecond: number;
  readonly completedInWindow: number;
  readonly acceptLatencyMs: Summary;
  readonly submitToTargetMs: Summary;
  readonly submitToCompletedMs: Summary;
  readonly backlogAtWindowEnd: Backlog;
  readonly backlogGrowthPerSecond: number;
  readonly backlogAfterDrain: Backlog;
  readonly drainWaitedMs: number;
  readonly duplicates: number;
  /** Accepted but never at the target (or never completed) after the drain wait. */
  readonly lost: Backlog;
  readonly cpu: Readonly<Record<string, CpuPerCall | null>>;
  /** Context switches per completed call for each process (all its threads); absent from runs before 2026-12-06. */
  readonly contextSwitchesPerCall?: Readonly<Record<string, number | null>>;
  /** How late the bench's own event loop ran over the window, in ms; absent from runs before 2026-12-06 14:30. */
  readonly benchLoopDelayMs?: Summary;
  /** The whole machine's busy cores over the window (every process and the kernel); absent from runs before 2026-12-06 22:30. */
  readonly machine?: MachineBusy;
  /** Each hop's latency over the window, from the apps' own histograms; absent for peers and runs before 2026-12-06 19:00. */
  readonly hopLatency?: readonly HopLatency[];
  readonly sustained: boolean;
}
