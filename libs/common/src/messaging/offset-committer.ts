import { Consumer, TopicPartitionOffsetAndMetadata } from './kafkajs';
import { WakeableSleep } from '../clock/wakeable-sleep';
import { Log } from '../observability/log';

/**
 * Commits processed offsets without making the next message wait for the round trip: one commit
 * is in flight at a time, at most one starts per `intervalMs`, and offsets processed meanwhile are
 * coalesced into the next one (the newest per partition). Only offsets whose handler finished are
 * ever handed in, so a commit never gets ahead of the work; a commit lost to a crash or rebalance
 * means a redelivery, which the handlers absorb.
 *
 * The interval is what keeps commits off the broker's hot path: committing after every batch made
 * OffsetCommit the broker's most frequent request (1,343 against 868 fetches and 444 produces in a
 * 200 calls/s run), each one an append to `__consumer_offsets`.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  private inFlight?: Promise<void>;
  private lastStarted = 0;
  private draining = false;
  /** Waits out the rest of the interval since the last commit started; a drain cuts it short. */
  private readonly interval = new WakeableSleep();

  constructor(
    private readonly consumer: () => Consumer | undefined,
    private readonly log: Log,
    private readonly intervalMs = 0,
  ) {}

  /** `offset` is the next one to read, i.e. the processed offset + 1. */
  commit(topic: string, partition: number, offset: string): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset });
    this.inFlight ??= this.flush();
  }

  /** Resolves once everything handed in so far is committed (or has failed). */
  async drain(): Promise<void> {
    this.draining = true;
    this.interval.wake();
    try {
      while (this.inFlight) await this.inFlight;
    } finally {
      this.draining = false;
    }
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const wait = this.lastStarted + this.intervalMs - Date.now();
        if (wait > 0 && !this.draining) await this.interval.sleep(wait);
        this.lastStarted = Date.now();
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
