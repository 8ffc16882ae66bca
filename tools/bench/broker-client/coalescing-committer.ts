export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read: the last processed one + 1. */
  readonly offset: bigint;
}

/**
 * The commit discipline of our OffsetCommitter, for either client: one commit in flight, offsets
 * handed in meanwhile coalesced into the next one (newest per partition).
 */
export class CoalescingCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private inFlight?: Promise<void>;
  commits = 0;

  constructor(private readonly send: (offsets: PartitionOffset[]) => Promise<void>) {}

  commit(offset: PartitionOffset): void {
    this.pending.set(`${offset.topic}:${offset.partition}`, offset);
    this.inFlight ??= this.flush();
  }

  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        this.commits += 1;
        await this.send(batch);
      }
    } finally {
      this.inFlight = undefined;
    }
  }
}
