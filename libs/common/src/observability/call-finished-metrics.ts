import { callCompletionLatency, callsFinished } from './metrics';

/** What the metrics need of a read-model view (ServiceCallView fits). */
export interface CallViewFacts {
  readonly tenantId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly dueAt: string | null;
  readonly finishedAt: string | null;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Cancelled']);

/**
 * Counts a call in scheduler_calls_finished_total and, when it ran, observes
 * scheduler_call_completion_seconds — only on the move from a non-terminal view (or none) to a
 * terminal one, so a redelivered event that does not move the view counts nothing.
 * Call it after the projection's transaction committed (a rolled-back batch is tried again).
 * Returns whether the call was counted.
 */
export function recordCallFinished(before: CallViewFacts | null, after: CallViewFacts): boolean {
  if (!TERMINAL.has(after.status) || (before !== null && TERMINAL.has(before.status))) return false;
  callsFinished.inc({ tenant: after.tenantId, outcome: after.status });
  const seconds = completionSeconds(after);
  if (seconds !== null && after.status !== 'Cancelled') callCompletionLatency.observe({ outcome: after.status }, seconds);
  return true;
}

/**
 * Seconds from when the call was due to when it finished. A call due now is due at its creation
 * (submit → finished); a scheduled call at its dueAt, so the wait it asked for is not latency.
 */
export function completionSeconds(view: CallViewFacts): number | null {
  if (view.finishedAt === null) return null;
  const created = Date.parse(view.createdAt);
  const due = view.dueAt === null ? created : Math.max(created, Date.parse(view.dueAt));
  const finished = Date.parse(view.finishedAt);
  return Number.isFinite(due) && Number.isFinite(finished) ? Math.max(0, (finished - due) / 1000) : null;
}
