/**
 * How long a consumer's close() lets deferred work (calls still running) finish by default: the
 * longest call timeout the API accepts (10 s) and time to record the call's result.
 */
export const DEFAULT_CLOSE_GRACE_MS = 12_000;
