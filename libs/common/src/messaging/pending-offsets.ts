/**
 * Offsets of one partition handed to a handler whose work finishes out of order. The offset that
 * may be committed is the oldest unfinished one (the next to read from after a restart), so a
 * commit never passes work that has not finished.
 */
export class PendingOffsets {
  private readonly unfinished = new Set<bigint>();
  private highest = -1n;

  add(offset: string): void {
    const o = BigInt(offset);
    this.unfinished.add(o);
    if (o > this.highest) this.highest = o;
  }

  finish(offset: string): void {
    this.unfinished.delete(BigInt(offset));
  }

  get size(): number {
    return this.unfinished.size;
  }

  /** The next offset to read, once everything below it has finished; undefined before anything was added. */
  committable(): string | undefined {
    if (this.highest < 0n) return undefined;
    let oldest = this.highest + 1n;
    for (const o of this.unfinished) if (o < oldest) oldest = o;
    return oldest.toString();
  }
}
