import { Consumer, TopicPartitionOffsetAndMetadata } from './kafkajs';
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

describe('OffsetCommitter with an interval', () => {
  // setImmediate stays real: ManualCommits.release uses it to let the committer run on.
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('starts at most one commit per interval, coalescing the offsets that finish meanwhile', async () => {
    const broker = new ManualCommits();
    const committer = new OffsetCommitter(() => broker.consumer, silentLog, 250);
    committer.commit('t', 0, '1');
    expect(broker.calls).toEqual([[{ topic: 't', partition: 0, offset: '1' }]]);
    await broker.release();

    committer.commit('t', 0, '2');
    committer.commit('t', 1, '4');
    await jest.advanceTimersByTimeAsync(100);
    committer.commit('t', 0, '3');
    await jest.advanceTimersByTimeAsync(149);
    expect(broker.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(broker.calls[1]).toEqual([
      { topic: 't', partition: 0, offset: '3' },
      { topic: 't', partition: 1, offset: '4' },
    ]);
    await broker.release();
    await committer.drain();
  });

  it('commits at once what is waiting when drained (stop, rebalance), without waiting out the interval', async () => {
    const broker = new ManualCommits();
    const committer = new OffsetCommitter(() => broker.consumer, silentLog, 60_000);
    committer.commit('t', 0, '1');
    await broker.release();
    committer.commit('t', 0, '9');
    await jest.advanceTimersByTimeAsync(10);
    expect(broker.calls).toHaveLength(1);

    const drained = committer.drain();
    await Promise.resolve();
    await jest.advanceTimersByTimeAsync(0);
    expect(broker.calls[1]).toEqual([{ topic: 't', partition: 0, offset: '9' }]);
    await broker.release();
    await drained;
  });
});
