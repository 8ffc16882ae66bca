import { isTransientFault } from '../faults/is-transient-fault';
import { BatchOutcome } from './consumed-message';

interface Part<T> {
  readonly items: readonly T[];
  resolve(outcome: BatchOutcome): void;
  reject(error: unknown): void;
}

/**
 * Joins the batches handed over in the same turn of the event loop into one handler call. One fetch
 * brings the records of every partition that has some, and each partition is handled concurrently:
 * joined, they cost a stage one transaction instead of one per partition, which is most of what a
 * batch costs at moderate load (six partitions made batches of one or two records at 200 calls/s).
 *
 * Each part settles as it would have alone. The joint call is all or nothing, like any batch; when
 * it fails for what a message is, every part is handled again by itself, so one partition's poison
 * message never fails another's batch. A transient fault fails every part, and each retries its own.
 */
export class BatchCoalescer<T> {
  private waiting: Part<T>[] = [];
  private waitingItems = 0;

  constructor(
    private readonly handle: (items: readonly T[]) => Promise<BatchOutcome>,
    /** The most items in one joint call; a part that would pass it starts the next call. */
    private readonly maxItems: number,
  ) {}

  /** Settles as `handle(items)` would: with this part's completions, if the handler returns any. */
  submit(items: readonly T[]): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      if (this.waitingItems > 0 && this.waitingItems + items.length > this.maxItems) this.flush();
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ items, resolve, reject });
      this.waitingItems += items.length;
    });
  }

  private flush(): void {
    const parts = this.waiting;
    if (parts.length === 0) return;
    this.waiting = [];
    this.waitingItems = 0;
    void (parts.length === 1 ? this.runAlone(parts[0]) : this.runJoined(parts));
  }

  private async runJoined(parts: readonly Part<T>[]): Promise<void> {
    let outcome: BatchOutcome;
    try {
      outcome = await this.handle(parts.flatMap((p) => p.items));
    } catch (error) {
      if (isTransientFault(error)) for (const part of parts) part.reject(error);
      else await Promise.all(parts.map((part) => this.runAlone(part)));
      return;
    }
    let from = 0;
    for (const part of parts) {
      part.resolve(outcome && { completions: outcome.completions.slice(from, from + part.items.length) });
      from += part.items.length;
    }
  }

  private async runAlone(part: Part<T>): Promise<void> {
    try {
      part.resolve(await this.handle(part.items));
    } catch (error) {
      part.reject(error);
    }
  }
}
