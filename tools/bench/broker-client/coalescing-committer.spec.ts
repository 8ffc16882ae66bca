import { CoalescingCommitter, PartitionOffset } from './coalescing-committer';

describe('CoalescingCommitter', () => {
  it('keeps one commit in flight and folds what arrives meanwhile into the next, newest per partition', async () => {
    const sent: PartitionOffset[][] = [];
    let release!: () => void;
    const committer = new CoalescingCommitter(async (offsets) => {
      sent.push(offsets);
      if (sent.length === 1) await new Promise<void>((r) => (release = r));
    });
    committer.commit({ topic: 't', partition: 0, offset: 10n });
    committer.commit({ topic: 't', partition: 1, offset: 5n });
    committer.commit({ topic: 't', partition: 1, offset: 7n });
    committer.commit({ topic: 't', partition: 0, offset: 12n });
    release();
    await committer.drain();
    expect(sent).toEqual([
      [{ topic: 't', partition: 0, offset: 10n }],
      [
        { topic: 't', partition: 1, offset: 7n },
        { topic: 't', partition: 0, offset: 12n },
      ],
    ]);
    expect(committer.commits).toBe(2);
  });
});
