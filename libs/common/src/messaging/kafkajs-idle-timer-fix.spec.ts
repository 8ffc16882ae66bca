// Importing kafkajs the one way the repository may (deps:check) is what applies the fix.
import './kafkajs';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the private kafkajs class the fix patches
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function requestQueue(maxInFlightRequests = 1) {
  return new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: { ...silent, namespace: () => silent },
  });
}

describe('the kafkajs idle timer fix', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('leaves no timer behind when nothing is pending and nothing is throttled', () => {
    const queue = requestQueue();
    queue.checkPendingRequests();
    expect(jest.getTimerCount()).toBe(0);
  });

  /** Asserts that the queue's next check of its pending requests comes exactly `ms` from now. */
  function expectCheckAfter(queue: ReturnType<typeof requestQueue>, ms: number) {
    const check = jest.spyOn(queue, 'checkPendingRequests').mockImplementation(() => undefined);
    queue.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(ms - 1);
    expect(check).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(check).toHaveBeenCalledTimes(1);
  }

  it('checks again after 10 ms for a request waiting for an in-flight slot', () => {
    const queue = requestQueue(1);
    queue.inflight.set(1, {});
    queue.pending.push({});
    expectCheckAfter(queue, 10);
  });

  it('checks again when a throttle ends, and not before', () => {
    const queue = requestQueue();
    queue.pending.push({});
    queue.throttledUntil = Date.now() + 250;
    expectCheckAfter(queue, 250);
  });

  it('schedules one check at a time', () => {
    const queue = requestQueue(1);
    queue.inflight.set(1, {});
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    queue.scheduleCheckPendingRequests();
    expect(jest.getTimerCount()).toBe(1);
  });
});
