/** How long a measured offset is trusted before the next batch reads the database's clock again. */
export const CLOCK_OFFSET_MAX_AGE_MS = 30_000;

/**
 * The database's clock, read locally. Decisions are stamped with the database's time so that every
 * scheduler-core process and the timer poller judge "due" by one clock. A batch that reads from
 * the database learns the clock with it; one decided from the stream cache uses the local clock
 * moved by the offset measured then, for at most CLOCK_OFFSET_MAX_AGE_MS.
 */
export class DatabaseClock {
  private offsetMs = 0;
  private measuredAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxAgeMs = CLOCK_OFFSET_MAX_AGE_MS,
    private readonly localNow: () => number = Date.now,
  ) {}

  /** The database said `databaseNow` between the local times `sentAt` and `receivedAt`. */
  observe(databaseNow: Date, sentAt: number, receivedAt: number): void {
    this.offsetMs = databaseNow.getTime() - (sentAt + receivedAt) / 2;
    this.measuredAt = receivedAt;
  }

  /** The database's time now, or undefined when no offset was measured within maxAgeMs. */
  now(): Date | undefined {
    const local = this.localNow();
    if (local - this.measuredAt > this.maxAgeMs) return undefined;
    return new Date(local + this.offsetMs);
  }
}
