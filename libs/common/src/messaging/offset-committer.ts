import { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { Log } from '../observability/log';

/**
 * Commits processed offsets without making the next message wait for the round trip: one commit
 * is in flight at a time, and offsets processed meanwhile are coalesced into the next one (the
 * newest per partition). Only offsets whose handler finished are ever handed in, so a commit never
 * gets ahead of the work; a commit lost to a crash or rebalance means a redelivery, which the
 * handlers absorb.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  private inFlight?: Promise<void>;

  constructor(
    private readonly consumer: () => Consumer | undefined,
    private readonly log: Log,
  ) {}

  /** `offset` is the next one to read, i.e. the processed offset + 1. */
  commit(topic: string, partition: number, offset: string): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset });
    this.inFlight ??= this.flush();
  }

  /** Resolves once everything handed in so far is committed (or has failed). */
  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.consumer()?.commitOffsets(batch);
        } catch (error) {
          this.log.warn(
            { offsets: batch, error: error instanceof Error ? error.message : String(error) },
            'offset commit failed; those records may be redelivered',
          );
        }
      }
    } finally {
      this.inFlight = undefined;
    }
  }
}
