import { timerLateness } from './metrics';

/** Observes how late a timer fired; a timer fired early (clock skew between replicas) counts as on time. */
export function recordTimerLateness(dueAt: Date, firedAt: Date): void {
  timerLateness.observe(Math.max(0, (firedAt.getTime() - dueAt.getTime()) / 1000));
}
