interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (result: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for concurrent callers: while one batch is being written, new items wait, and the
 * next write takes them all (up to maxBatch). Alone, an item is written at once, so this adds no
 * latency at low load and saves a transaction per item at high load. When a batch fails and
 * `splitOn(error)` says the error may be one item's fault, the items are written one by one so
 * only that one fails.
 */
export class WriteCoalescer<I, O> {
  private queue: Waiting<I, O>[] = [];
  private writing = false;

  constructor(
    private readonly writeBatch: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly splitOn: (error: unknown) => boolean,
    private readonly maxBatch = 500,
  ) {}

  write(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
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
