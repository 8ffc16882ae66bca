import { BenchTarget } from './bench-target';
import { GatewayClient } from './gateway-client';
import { ReadModelWatcher } from './read-model-watcher';

/** What the scheduler-only scenario runs share. */
export interface ScenarioContext {
  readonly gateway: GatewayClient;
  readonly watcher: ReadModelWatcher;
  readonly target: BenchTarget;
  readonly targetUrl: string;
  /** Each app's /metrics. */
  readonly metricsUrls: readonly string[];
  readonly say: (line: string) => void;
}

/** Accepted ids that reached the target more than once, summed over the extra arrivals. */
export const duplicatesAmong = (target: BenchTarget, ids: readonly string[]) =>
  ids.reduce((n, id) => n + Math.max(0, target.arrivalCount(id) - 1), 0);

/** Answers other than 202, counted by status ("http 500": 4). */
export function refusalsByStatus(
  answers: readonly { readonly status: number; readonly id?: string }[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) if (!a.id) counts[`http ${a.status}`] = (counts[`http ${a.status}`] ?? 0) + 1;
  return counts;
}
