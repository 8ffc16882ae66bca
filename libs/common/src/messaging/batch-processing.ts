import { isTransientFault } from '../faults/is-transient-fault';
import { backoffMs, RetryPolicy } from './retry-policy';

export interface BatchProcessingSteps<T> {
  /** All or nothing: resolves once the whole batch is applied. */
  handle(items: readonly T[]): Promise<void>;
  deadLetter(item: T, error: unknown, attempts: number): Promise<void>;
  /** False once the consumer stops or the partition was taken away: stop retrying, commit nothing. */
  isActive(): boolean;
  /** Keeps the group membership alive while a retry waits. */
  heartbeat(): Promise<void>;
  onRetry(error: unknown, attempt: number, items: readonly T[], transient: boolean): void;
  sleep(ms: number): Promise<void>;
}

export type BatchProcessingResult = 'done' | 'abandoned';

/**
 * Applies a batch: transient faults retry the same batch for as long as they last; any other error
 * splits the batch into single messages so one poison message goes to the DLQ while the others apply.
 */
export async function processBatch<T>(
  items: readonly T[],
  steps: BatchProcessingSteps<T>,
  policy: RetryPolicy,
): Promise<BatchProcessingResult> {
  const whole = await applyUntilNotTransient(items, steps, policy);
  if (whole.kind !== 'failed') return whole.kind;
  // A batch of one already made its first try as the whole batch.
  if (items.length === 1) return applyOne(items[0], steps, policy, whole.error);
  steps.onRetry(whole.error, 1, items, false);
  for (const item of items) {
    if ((await applyOne(item, steps, policy)) === 'abandoned') return 'abandoned';
  }
  return 'done';
}

async function applyOne<T>(
  item: T,
  steps: BatchProcessingSteps<T>,
  policy: RetryPolicy,
  firstError?: unknown,
): Promise<BatchProcessingResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.poisonAttempts; attempt++) {
    const outcome: Attempt =
      attempt === 1 && firstError !== undefined
        ? { kind: 'failed', error: firstError }
        : await applyUntilNotTransient([item], steps, policy);
    if (outcome.kind !== 'failed') return outcome.kind;
    lastError = outcome.error;
    steps.onRetry(lastError, attempt, [item], false);
    if (attempt < policy.poisonAttempts && !(await pause(steps, backoffMs(policy, attempt)))) return 'abandoned';
  }
  await untilDone(() => steps.deadLetter(item, lastError, policy.poisonAttempts), steps, policy);
  return steps.isActive() ? 'done' : 'abandoned';
}

type Attempt = { kind: 'done' } | { kind: 'abandoned' } | { kind: 'failed'; error: unknown };

async function applyUntilNotTransient<T>(
  items: readonly T[],
  steps: BatchProcessingSteps<T>,
  policy: RetryPolicy,
): Promise<Attempt> {
  for (let attempt = 1; ; attempt++) {
    if (!steps.isActive()) return { kind: 'abandoned' };
    try {
      await steps.handle(items);
      return { kind: 'done' };
    } catch (error) {
      if (!isTransientFault(error)) return { kind: 'failed', error };
      steps.onRetry(error, attempt, items, true);
      if (!(await pause(steps, backoffMs(policy, attempt)))) return { kind: 'abandoned' };
    }
  }
}

/** Dead-lettering needs the broker; while it is away, keep trying (the message must not be lost). */
async function untilDone<T>(step: () => Promise<void>, steps: BatchProcessingSteps<T>, policy: RetryPolicy): Promise<void> {
  for (let attempt = 1; steps.isActive(); attempt++) {
    try {
      return await step();
    } catch (error) {
      steps.onRetry(error, attempt, [], true);
      await pause(steps, backoffMs(policy, attempt));
    }
  }
}

/** Sleeps in slices of at most a second, heartbeating in between; false when the work was taken away. */
async function pause<T>(steps: BatchProcessingSteps<T>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (steps.isActive()) {
    const left = until - Date.now();
    if (left <= 0) return true;
    await steps.sleep(Math.min(left, 1_000));
    try {
      await steps.heartbeat();
    } catch {
      // A heartbeat error means a rebalance or a lost coordinator. It is never the handler's error
      // and never a reason to dead-letter: give the batch up uncommitted so the member can rejoin
      // at once (holding on would stall the whole group's rebalance); it is read again afterwards.
      return false;
    }
  }
  return false;
}
