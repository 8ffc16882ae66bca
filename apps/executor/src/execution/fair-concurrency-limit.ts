/**
 * At most `max` tasks run at once, and at most `maxPerKey` of them for one key (a tenant's target
 * origin), so one slow target holds only its share of the slots and every other key keeps some.
 * Waiting tasks start round-robin across keys, in arrival order within a key. (A few dozen lines
 * of our own: the small queue packages order tasks globally or per key, not both.)
 */
export class FairConcurrencyLimit {
  private active = 0;
  private readonly activeByKey = new Map<string, number>();
  /** Keys with waiting tasks; a Map keeps insertion order, and a key served goes to the back. */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(
    readonly max: number,
    readonly maxPerKey: number,
  ) {
    if (!(max >= 1 && maxPerKey >= 1)) throw new RangeError(`limits must be at least 1 (max ${max}, per key ${maxPerKey})`);
  }

  get running(): number {
    return this.active;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.waiting.has(key) || !this.canStart(key)) await new Promise<void>((go) => this.enqueue(key, go));
    else this.take(key);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  private canStart(key: string): boolean {
    return this.active < this.max && (this.activeByKey.get(key) ?? 0) < Math.min(this.maxPerKey, this.max);
  }

  private enqueue(key: string, go: () => void): void {
    const queue = this.waiting.get(key);
    if (queue) queue.push(go);
    else this.waiting.set(key, [go]);
  }

  private take(key: string): void {
    this.active += 1;
    this.activeByKey.set(key, (this.activeByKey.get(key) ?? 0) + 1);
  }

  private release(key: string): void {
    this.active -= 1;
    const left = (this.activeByKey.get(key) ?? 1) - 1;
    if (left === 0) this.activeByKey.delete(key);
    else this.activeByKey.set(key, left);
    this.startWaiting();
  }

  /** The slot is taken here, before the waiter resumes, so no newcomer can slip into it. */
  private startWaiting(): void {
    for (const [key, queue] of this.waiting) {
      if (this.active >= this.max) return;
      if (!this.canStart(key)) continue;
      const go = queue.shift()!;
      this.waiting.delete(key);
      if (queue.length > 0) this.waiting.set(key, queue);
      this.take(key);
      go();
    }
  }
}

/**
 * The share of the slots one key may hold when none is configured: all but a tenth (rounded down),
 * kept for every other key. Below ten slots nothing is kept back; waiting calls still take turns.
 */
export function defaultMaxPerKey(max: number): number {
  return Math.max(1, max - Math.floor(max / 10));
}
