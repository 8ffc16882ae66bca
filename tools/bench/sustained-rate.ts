/** What the sustained-rate rule needs to know about one offered rate. */
export interface RateVerdictInput {
  readonly offeredRate: number;
  readonly offered: number;
  /** Calls completed within the window. */
  readonly completedInWindow: number;
  readonly backlogGrowthPerSecond: number;
  /** p99 submit → target, from the intended send time; null when no call arrived. */
  readonly p99ToTargetMs: number | null;
}

export const SUSTAINED_RULE = {
  /** Completed within the window, as a share of offered. */
  minCompletedShare: 0.97,
  /** Backlog growth allowed, as a share of the offered rate (noise, not a trend). */
  maxBacklogGrowthShare: 0.02,
  maxP99ToTargetMs: 1_000,
} as const;

/** Completion keeps pace (≥ 97 % within the window, backlog not growing) and p99 to target ≤ 1 s. */
export function isSustained(r: RateVerdictInput): boolean {
  return (
    r.offered > 0 &&
    r.completedInWindow >= SUSTAINED_RULE.minCompletedShare * r.offered &&
    r.backlogGrowthPerSecond <= Math.max(1, SUSTAINED_RULE.maxBacklogGrowthShare * r.offeredRate) &&
    r.p99ToTargetMs !== null &&
    r.p99ToTargetMs <= SUSTAINED_RULE.maxP99ToTargetMs
  );
}

/** The highest offered rate that passed the rule, or null when none did. */
export function highestSustainedRate(results: readonly RateVerdictInput[]): number | null {
  const passed = results.filter(isSustained).map((r) => r.offeredRate);
  return passed.length > 0 ? Math.max(...passed) : null;
}
