import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Summary } from './percentiles';

/** Coarse on purpose: each sample wakes the bench, which shares the cores with what it measures. */
const RESOLUTION_MS = 20;

/**
 * Watches how late this process's event loop runs, from now until `stop()`. The bench sends each
 * call and records its arrival at the target on this loop, so a late loop adds to every latency it
 * reports. Node's histogram holds the time between its samples, the resolution included; what is
 * reported is the part beyond it.
 */
export function watchEventLoopDelay(): { stop(): Summary } {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      const lateMs = (ns: number) => Math.max(0, Math.round(ns / 1e5 - RESOLUTION_MS * 10) / 10);
      return histogram.count === 0
        ? { count: 0, p50: null, p99: null, max: null }
        : {
            count: histogram.count,
            p50: lateMs(histogram.percentile(50)),
            p99: lateMs(histogram.percentile(99)),
            max: lateMs(histogram.max),
          };
    },
  };
}
