import { EventEmitter } from 'node:events';

const signal = new EventEmitter();

/** Called after a transaction that set timers committed, so this process's poller looks again at once. */
export function timersSet(): void {
  signal.emit('set');
}

export function onTimersSet(listener: () => void): () => void {
  signal.on('set', listener);
  return () => signal.off('set', listener);
}
