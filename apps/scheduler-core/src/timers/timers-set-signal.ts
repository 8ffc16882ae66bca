import { EventEmitter } from 'node:events';

const signal = new EventEmitter();

/**
 * Called after a transaction that set timers committed, with the earliest dueAt among them (epoch
 * milliseconds), so that this process's poller looks again at once if that timer falls due before
 * the pass it is waiting for.
 */
export function timersSet(earliestDueAt: number): void {
  signal.emit('set', earliestDueAt);
}

export function onTimersSet(listener: (earliestDueAt: number) => void): () => void {
  signal.on('set', listener);
  return () => signal.off('set', listener);
}
