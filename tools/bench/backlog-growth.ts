export interface BacklogSample {
  /** ms since the window started. */
  readonly atMs: number;
  /** Calls accepted but not yet completed. */
  readonly backlog: number;
}

/**
 * How fast the backlog grows (calls per second) over the second half of a window: the slope of a
 * least-squares line, so one noisy sample does not decide it. The first half is left out because
 * a backlog of a few in-flight calls always builds up at the start.
 */
export function backlogGrowthPerSecond(samples: readonly BacklogSample[]): number {
  if (samples.length < 2) return 0;
  const end = samples[samples.length - 1].atMs;
  const tail = samples.filter((s) => s.atMs >= end / 2);
  const points = tail.length >= 2 ? tail : samples.slice(-2);
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.atMs, 0) / n;
  const meanY = points.reduce((s, p) => s + p.backlog, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.atMs - meanX) ** 2, 0);
  if (sxx === 0) return 0;
  const sxy = points.reduce((s, p) => s + (p.atMs - meanX) * (p.backlog - meanY), 0);
  return Math.round((sxy / sxx) * 1000 * 100) / 100;
}
