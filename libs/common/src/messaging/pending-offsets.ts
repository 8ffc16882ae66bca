/**
 * Offsets of one partition handed to a handler whose work finishes out of order. The offset that
 * may be committed is the oldest unfinished one (the next to read from after a restart), or past the
 * newest finished one when nothing is unfinished; so a commit never passes work that has not finished.
 */
export class PendingOffsets {
  private readonly unfinished = new Set<bigint>();
  private highestFinished = -1n;

  /** False when the offset is already unfinished here (read again while its earlier work still runs). */
  add(offset: string): boolean {
    const o = BigInt(offset);
    if (this.unfinished.has(o)) return false;
    this.unfinished.add(o);
    return true;
  }

  /** Finishing an offset never handed in, or finished already, changes nothing. */
  finish(offset: string): void {
    const o = BigInt(offset);
    if (!this.unfinished.delete(o)) return;
    if (o > this.highestFinished) this.highestFinished = o;
  }

  /** Given up unhandled (the partition was taken away, or the consumer stops): it neither holds nor advances a commit. */
  forget(offset: string): void {
    this.unfinished.delete(BigInt(offset));
  }

  get size(): number {
    return this.unfinished.size;
  }

  /** The next offset to read once everything before it has finished; undefined before anything finished. */
  committable(): string | undefined {
    if (this.unfinished.size > 0) {
      let oldest: bigint | undefined;
      for (const o of this.unfinished) if (oldest === undefined || o < oldest) oldest = o;
      return oldest!.toString();
    }
    return this.highestFinished < 0n ? undefined : (this.highestFinished + 1n).toString();
  }
}
