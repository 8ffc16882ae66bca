import { performance } from 'node:perf_hooks';

/** How long a reading is trusted before the next batch reads the database's clock again. */
export const CLOCK_READING_MAX_AGE_MS = 30_000;

/**
 * The database's clock, carried forward locally. Decisions are stamped with the database's time so
 * that every scheduler-core process and the timer poller judge "due" by one clock. A batch that
 * reads from the database learns the clock with it; one decided from the stream cache takes the
 * last reading forward by the monotonic time elapsed since it arrived, for at most maxAgeMs.
 *
 * The reading is taken as said when its answer arrived, the latest it can have been said, so the
 * time carried forward is never ahead of the database's: a decision is stamped at most a round
 * trip early, as one stamped with the time read at the start of its batch always was. A call due
 * a moment later is scheduled (or its timer re-armed), never run early.
 */
export class DatabaseClock {
  private reading?: { readonly databaseMs: number; readonly arrivedAt: number };

  constructor(
    private readonly maxAgeMs = CLOCK_READING_MAX_AGE_MS,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {}

  /** The database's time, in an answer that has just arrived. */
  observe(databaseNow: Date): void {
    this.reading = { databaseMs: databaseNow.getTime(), arrivedAt: this.monotonicNow() };
  }

  /** The database's time now, or undefined when it was not read within maxAgeMs. */
  now(): Date | undefined {
    if (!this.reading) return undefined;
    const elapsed = this.monotonicNow() - this.reading.arrivedAt;
    if (elapsed > this.maxAgeMs) return undefined;
    return new Date(this.reading.databaseMs + elapsed);
  }
}
