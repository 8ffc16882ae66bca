import { BenchTarget } from './bench-target';
import { GatewayClient } from './gateway-client';
import { ReadModelWatcher } from './read-model-watcher';

/** What the scheduler-only scenario runs share. */
export interface ScenarioContext {
  readonly gateway: GatewayClient;
  readonly watcher: ReadModelWatcher;
  readonly target: BenchTarget;
  readonly targetUrl: string;
  readonly say: (line: string) => void;
}

/** Accepted ids that reached the target more than once, summed over the extra arrivals. */
export const duplicatesAmong = (target: BenchTarget, ids: readonly string[]) => ids.reduce((n, id) => n + Math.max(0, target.arrivalCount(id) - 1), 0);
