import { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { OffsetCommitter } from './offset-committer';

/** A stand-in for the broker round trip that the test releases by hand. */
class ManualCommits {
  readonly calls: TopicPartitionOffsetAndMetadata[][] = [];
  private releases: Array<(error?: Error) => void> = [];

  readonly consumer = {
    commitOffsets: (offsets: TopicPartitionOffsetAndMetadata[]) => {
      this.calls.push(offsets);
      return new Promise<void>((resolve, reject) => this.releases.push((error) => (error ? reject(error) : resolve())));
    },
  } as unknown as Consumer;

  async release(error?: Error): Promise<void> {
    this.releases.shift()?.(error);
    await new Promise((r) => setImmediate(r));
  }
}

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

describe('OffsetCommitter', () => {
  it('keeps one commit in flight and coalesces what arrives meanwhile to the newest offset per partition', async () => {
    const broker = new ManualCommits();
    const committer = new OffsetCommitter(() => broker.consumer, silentLog);
    committer.commit('t', 0, '1');
    committer.commit('t', 0, '2');
    committer.commit('t', 1, '7');
    committer.commit('t', 0, '3');
    expect(broker.calls).toEqual([[{ topic: 't', partition: 0, offset: '1' }]]);

    await broker.release();
    expect(broker.calls[1]).toEqual([
      { topic: 't', partition: 0, offset: '3' },
      { topic: 't', partition: 1, offset: '7' },
    ]);

    const drained = committer.drain();
    await broker.release();
    await drained;
    expect(broker.calls).toHaveLength(2);
  });

  it('goes on after a failed commit (the records are redelivered and absorbed)', async () => {
    const broker = new ManualCommits();
    const warnings: object[] = [];
    const committer = new OffsetCommitter(() => broker.consumer, {
      ...silentLog,
      warn: (o: object) => void warnings.push(o),
    });
    committer.commit('t', 0, '5');
    committer.commit('t', 0, '6');
    await broker.release(new Error('rebalance in progress'));
    expect(warnings).toHaveLength(1);
    expect(broker.calls[1]).toEqual([{ topic: 't', partition: 0, offset: '6' }]);
    await broker.release();
    await committer.drain();
  });
});
