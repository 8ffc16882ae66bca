/**
 * Seconds an app needs after SIGTERM: the executor lets calls still running finish for up to 12 s
 * (its consumer's closeGraceMs: the longest call timeout, 10 s, and time to record the result),
 * then leaves its group and exits. The chart's grace period and Compose's stop_grace_period must cover it.
 */
export const APP_SHUTDOWN_SECONDS = 15;
