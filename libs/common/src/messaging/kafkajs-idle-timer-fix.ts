/**
 * kafkajs 2.2.4 keeps a 1 ms timer running on every broker connection for as long as the connection
 * lives: after each check of its pending requests it schedules the next one, and with nothing pending
 * and no throttle the delay it computes is negative, so Node runs it after 1 ms, again and again
 * (tulios/kafkajs#1556, #1604, #1704; the fix in PR #1667 was never released). Each app has several
 * connections, so an idle app polled for events about 1,500 times a second (strace: 1,568 `epoll_pwait`
 * calls a second in the gateway) and spent 25-35 ms of CPU a second doing nothing.
 *
 * This replaces that one method with the fix the upstream pull request proposes: with nothing pending
 * and no throttle in force there is nothing to check; a request that has to wait is pushed with a
 * check of its own, and every response checks again.
 */

/** The private kafkajs class whose method is replaced; only what the fix touches. */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for re-checking requests held back by the in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** Applied once, by ./kafkajs as it loads; applying it again replaces the method with the same one. */
export function fixKafkajsIdleTimer(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a private module of kafkajs, not in its typings
  const RequestQueueClass = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueue };
  RequestQueueClass.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    let scheduleAt = this.throttledUntil - Date.now();
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL_MS;
    else if (scheduleAt <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, scheduleAt);
  };
}
