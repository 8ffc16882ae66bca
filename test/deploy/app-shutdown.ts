import { DEFAULT_CLOSE_GRACE_MS } from '../../libs/common/src/messaging/close-grace';

/**
 * Seconds an app needs after SIGTERM: the executor lets calls still running finish for its
 * consumer's close grace, then takes up to 3 s to commit, leave its group and exit. The chart's
 * grace period and Compose's stop_grace_period must cover it.
 */
export const APP_SHUTDOWN_SECONDS = DEFAULT_CLOSE_GRACE_MS / 1000 + 3;
