/** Nest token for SCHEDULER_TIMER_LEAD_MS: how long before its dueAt a scheduled call is handed to the executor. */
export const TIMER_LEAD_MS = Symbol('TIMER_LEAD_MS');

/** The default lead covers the pipeline's queueing between a fired timer and the executor under load (ADR-0017). */
export const DEFAULT_TIMER_LEAD_MS = 1_000;

/** A longer lead would hold executor capacity and close the cancellation window for longer than it helps. */
export const MAX_TIMER_LEAD_MS = 10_000;
