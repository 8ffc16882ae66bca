import { parseSamples } from '../../test/support/prometheus-exposition';

/** The apps' per-hop histograms (ADR-0010) and how each series names its hop. */
const HOP_HISTOGRAMS: Readonly<Record<string, (labels: Readonly<Record<string, string>>) => string>> = {
  scheduler_outbox_publish_delay_seconds: (l) => `${l.outbox} outbox → broker`,
  scheduler_message_age_seconds: (l) => `${l.topic} → ${l.group}`,
  // A scheduled call's two timer steps (ADR-0017); only scheduled calls observe them.
  scheduler_timer_lateness_seconds: () => 'timer hand-over time → fired',
  scheduler_call_start_lateness_seconds: () => 'dueAt → executor start',
};

/** Cumulative bucket counts (upper bound in seconds → count) per hop, summed over every app that exports it. */
export type HopSnapshot = ReadonlyMap<string, ReadonlyMap<number, number>>;

export interface HopLatency {
  readonly hop: string;
  /** Messages observed on this hop in the window. */
  readonly messages: number;
  /** Interpolated within the bucket that holds it, as Prometheus's histogram_quantile does. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** One console line: each hop's p50 / p99. */
export const hopsLine = (hops: readonly HopLatency[]): string =>
  `hops, p50 / p99 ms: ${hops.map((h) => `${h.hop} ${h.p50Ms ?? '–'} / ${h.p99Ms ?? '–'}`).join('; ')}`;

/** Each app's /metrics once; an app that does not answer adds nothing. */
export async function scrapeHops(metricsUrls: readonly string[]): Promise<HopSnapshot> {
  const expositions = await Promise.all(
    metricsUrls.map(async (url) => {
      try {
        const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        return answer.ok ? await answer.text() : '';
      } catch {
        return '';
      }
    }),
  );
  return hopSnapshotOf(expositions);
}

export function hopSnapshotOf(expositions: readonly string[]): HopSnapshot {
  const hops = new Map<string, Map<number, number>>();
  for (const exposition of expositions)
    for (const sample of parseSamples(exposition)) {
      if (!sample.name.endsWith('_bucket')) continue;
      const hopOf = HOP_HISTOGRAMS[sample.name.slice(0, -'_bucket'.length)];
      if (!hopOf) continue;
      const hop = hopOf(sample.labels);
      const le = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
      const buckets = hops.get(hop) ?? new Map<number, number>();
      buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
      hops.set(hop, buckets);
    }
  return hops;
}

/** What each hop saw between two snapshots, hops in name order. */
export function hopLatencies(before: HopSnapshot, after: HopSnapshot): HopLatency[] {
  return [...after.keys()]
    .sort()
    .map((hop) => {
      const earlier = before.get(hop);
      const window = [...after.get(hop)!]
        .map(([le, count]): [number, number] => [le, count - (earlier?.get(le) ?? 0)])
        .sort(([a], [b]) => a - b);
      const toMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 10_000) / 10);
      return {
        hop,
        messages: window.at(-1)?.[1] ?? 0,
        p50Ms: toMs(bucketQuantile(0.5, window)),
        p99Ms: toMs(bucketQuantile(0.99, window)),
      };
    })
    .filter((h) => h.messages > 0);
}

/**
 * The q-quantile of cumulative buckets sorted by upper bound, the last one +Inf: linear within the
 * bucket that holds the rank (from 0 for the first); a rank in +Inf gives the highest finite bound.
 */
export function bucketQuantile(q: number, buckets: readonly (readonly [number, number])[]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let [lower, below] = [0, 0];
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      return count === below ? le : lower + ((le - lower) * (rank - below)) / (count - below);
    }
    [lower, below] = [le, count];
  }
  return lower;
}
