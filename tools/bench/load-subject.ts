import { HopSnapshot } from './hop-latency';

/** A system the sweep drives: the scheduler through its API, or a peer job queue. */
export interface LoadSubject {
  readonly name: string;
  /** What "completed" means for it, written beside the figures. */
  readonly completion: string;
  /** Submits (enqueues) one call to `path` on the bench target; `key` is what the target will see as Idempotency-Key. */
  submit(path: string): Promise<{ readonly status: number; readonly key?: string }>;
  /** When the call with this key completed, if it has. */
  completedAt(key: string): number | undefined;
  /** Its per-hop histograms as they stand, where it has them (the scheduler's apps do). */
  hopSnapshot?(): Promise<HopSnapshot>;
}
