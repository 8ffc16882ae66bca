/**
 * Intended send offsets (ms from the start) of an open-loop load: `rate` calls per second, evenly
 * spaced, for `seconds`. The schedule is fixed up front, so a slow system cannot slow the sender.
 */
export function openLoopOffsets(rate: number, seconds: number): number[] {
  if (rate <= 0 || seconds <= 0) return [];
  const count = Math.round(rate * seconds);
  return Array.from({ length: count }, (_, i) => (i * 1000) / rate);
}

/** How many of the offsets fall before `elapsedMs` (calls that should have been sent by then). */
export function dueBy(offsets: readonly number[], elapsedMs: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] < elapsedMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
