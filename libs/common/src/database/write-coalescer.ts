interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
  /** performance.now() before which a batch led by this item is not written (its linger). */
  readonly notBefore: number;
}

export interface WriteCoalescerOptions {
  /** The most items one write takes; 500 unless set. */
  readonly maxBatch?: number;
  /**
   * The first item after a quiet spell waits for the end of the current turn of the event loop, so
   * callers woken together (calls taking free slots at once) share its write instead of it going alone.
   */
  readonly gatherTurn?: boolean;
  /**
   * The first item after a quiet spell waits this long, so the items that follow within it share
   * its write: for writes whose callers can wait (a call's result, once the call has run). 0 unless set.
   */
  readonly lingerMs?: number;
  /**
   * A batch whose first item came less than this many ms after the item before it is written no
   * sooner than this long after that item came, so that from about 1000 / lingerWhileBusyMs items a
   * second on they share writes, even when each write takes about as long as the gap between two
   * items; an item after a longer gap is written at once. 0 unless set.
   */
  readonly lingerWhileBusyMs?: number;
}

/**
 * Group commit for concurrent callers: while one batch is being written, new items wait, and the
 * next write takes them all (up to maxBatch). Alone, an item is written at once, or at the end of
 * the turn with `gatherTurn`: then this adds no latency at low load and saves a transaction per item
 * at high load. With `lingerMs` an item alone waits that long first, trading that much latency for
 * company; with `lingerWhileBusyMs` only an item that follows another closely waits, so the wait is
 * paid only at rates where it finds company. When a batch fails and `splitOn(error)` says the error
 * may be one item's fault, the items are written one by one so only that one fails.
 */
export class WriteCoalescer<I, O> {
  private queue: Waiting<I, O>[] = [];
  private writing = false;
  private readonly maxBatch: number;
  private readonly gatherTurn: boolean;
  private readonly lingerMs: number;
  private readonly lingerWhileBusyMs: number;
  private lastArrival = -Infinity;

  constructor(
    private readonly writeBatch: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly splitOn: (error: unknown) => boolean,
    { maxBatch = 500, gatherTurn = false, lingerMs = 0, lingerWhileBusyMs = 0 }: WriteCoalescerOptions = {},
  ) {
    this.maxBatch = maxBatch;
    this.gatherTurn = gatherTurn;
    this.lingerMs = lingerMs;
    this.lingerWhileBusyMs = lingerWhileBusyMs;
  }

  write(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const now = performance.now();
      const notBefore = now + this.lingerFor(now);
      this.lastArrival = now;
      this.queue.push({ item, resolve, reject, notBefore });
      if (this.writing) return;
      this.writing = true;
      if (this.gatherTurn) setImmediate(() => void this.drain());
      else void this.drain();
    });
  }

  /** How long a batch led by an item arriving at `now` waits: `lingerWhileBusyMs`, `lingerMs`, or not at all. */
  private lingerFor(now: number): number {
    const followsClosely = now - this.lastArrival < this.lingerWhileBusyMs;
    return Math.max(followsClosely ? this.lingerWhileBusyMs : 0, this.writing ? 0 : this.lingerMs);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const wait = this.queue[0].notBefore - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const batch = this.queue.splice(0, this.maxBatch);
        await this.writeAll(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeAll(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.writeBatch(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (error) {
      if (batch.length > 1 && this.splitOn(error)) {
        for (const w of batch) await this.writeAll([w]);
      } else {
        for (const w of batch) w.reject(error);
      }
    }
  }
}
