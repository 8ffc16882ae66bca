/**
 * How a consumer retries (DESIGN.md §9). Transient faults are retried for as long as they last, with
 * backoff capped at maxBackoffMs; a handler error that is not transient is tried `poisonAttempts`
 * times on the message alone, and if it fails the same way each time the message is poison.
 */
export interface RetryPolicy {
  readonly poisonAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/**
 * The cap bounds how long work waits after a fault heals: with 30 s, a 15 s Postgres outage left
 * consumers asleep for up to 13 s after it ended; one retry per 5 s during an outage costs nothing.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { poisonAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 5_000 };

export function backoffMs(policy: RetryPolicy, failedAttempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(failedAttempt - 1, 20));
}
