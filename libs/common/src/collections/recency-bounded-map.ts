/**
 * A map that keeps the entries set most recently within a total weight: each entry weighs what
 * its owner says (1 to bound by count, its size to bound by memory), and when a `set` takes the
 * total over `maxWeight`, the entries set longest ago go first. Maps iterate in insertion order, so
 * the first key is always the oldest. An entry heavier than the whole room is not kept.
 */
export class RecencyBoundedMap<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly weight: number }>();
  private weight = 0;

  constructor(private readonly maxWeight: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: string, value: V, weight = 1): void {
    this.delete(key);
    this.entries.set(key, { value, weight });
    this.weight += weight;
    for (const [oldest] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const held = this.entries.get(key);
    if (!held) return;
    this.entries.delete(key);
    this.weight -= held.weight;
  }

  get size(): number {
    return this.entries.size;
  }
}
