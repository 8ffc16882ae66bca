import { Admin, Kafka, logLevel } from '@app/common/messaging/kafkajs';

interface Sample {
  readonly at: number;
  readonly offsets: ReadonlyMap<number, string>;
}

/**
 * Watches a consumer group's committed offsets on one topic from outside (the broker's OffsetFetch),
 * every `everyMs`: a committed offset that moves means the group consumed, handled and committed
 * there. Failover figures are read from it.
 */
export class CommittedOffsetsWatch {
  private readonly samples: Sample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topic: string,
    everyMs: number,
  ) {
    this.loop = this.poll(everyMs);
  }

  static async start(brokers: string, groupId: string, topic: string, everyMs = 100): Promise<CommittedOffsetsWatch> {
    const admin = new Kafka({
      clientId: 'faults-offsets-watch',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    return new CommittedOffsetsWatch(admin, groupId, topic, everyMs);
  }

  /**
   * The first commit seen after `since` on `partition` (on any partition when omitted): compared with
   * the first sample taken at or after `since`, the first later sample that differs. `at` is when
   * that sample was answered, `notBefore` the sample before it: the commit happened in between.
   */
  firstMoveAfter(since: number, partition?: number): { at: number; notBefore: number } | undefined {
    const from = this.samples.findIndex((s) => s.at >= since);
    if (from < 0) return undefined;
    const base = this.samples[from].offsets;
    const moved = (s: Sample) =>
      [...s.offsets].some(([p, offset]) => (partition === undefined || p === partition) && offset !== base.get(p));
    const i = this.samples.findIndex((s, j) => j > from && moved(s));
    return i < 0 ? undefined : { at: this.samples[i].at, notBefore: this.samples[i - 1].at };
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.admin.disconnect();
  }

  private async poll(everyMs: number): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        const [topic] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
        // Stamped when the answer came: a commit seen here happened no later than this.
        this.samples.push({ at: Date.now(), offsets: new Map(topic.partitions.map((p) => [p.partition, p.offset])) });
      } catch {
        // The coordinator may be busy with the rebalance; the next sample will tell.
      }
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - started))));
    }
  }
}
