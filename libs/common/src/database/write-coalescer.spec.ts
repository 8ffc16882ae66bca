import { WriteCoalescer } from './write-coalescer';

/** A writer that records each batch it is given, takes writeMs for it, and answers each item with its double. */
function recordingWriter(writeMs = 5) {
  const batches: number[][] = [];
  const write = async (items: readonly number[]) => {
    batches.push([...items]);
    if (writeMs > 0) await new Promise((r) => setTimeout(r, writeMs));
    return items.map((i) => i * 2);
  };
  return { batches, write };
}

describe('WriteCoalescer', () => {
  it('writes an item alone at once, and the items that arrive during that write together in the next', async () => {
    const { batches, write } = recordingWriter();
    const writer = new WriteCoalescer(write, () => false);

    const results = await Promise.all([1, 2, 3].map((i) => writer.write(i)));

    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('with gatherTurn, writes the items of one turn of the event loop together', async () => {
    const { batches, write } = recordingWriter();
    const writer = new WriteCoalescer(write, () => false, { gatherTurn: true });

    const first = Promise.all([1, 2, 3].map((i) => writer.write(i)));
    await Promise.resolve();
    const second = writer.write(4); // a microtask later: still the same turn
    const results = await Promise.all([first, second]);

    expect(results).toEqual([[2, 4, 6], 8]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('with lingerMs, lets the first item after a quiet spell wait, and writes what arrives meanwhile with it', async () => {
    const { batches, write } = recordingWriter();
    const writer = new WriteCoalescer(write, () => false, { lingerMs: 30 });

    const first = writer.write(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(batches).toEqual([]);
    const second = writer.write(2);
    const results = await Promise.all([first, second]);

    expect(results).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
  });

  describe('with lingerWhileBusyMs', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('writes an item after a longer gap at once, with no wait', async () => {
      const { batches, write } = recordingWriter(0);
      const writer = new WriteCoalescer(write, () => false, { lingerWhileBusyMs: 10 });

      await writer.write(1);
      await jest.advanceTimersByTimeAsync(10);
      await writer.write(2);

      expect(batches).toEqual([[1], [2]]);
    });

    it('lets an item that follows the one before within the linger wait, and writes what arrives meanwhile with it', async () => {
      const { batches, write } = recordingWriter(0);
      const writer = new WriteCoalescer(write, () => false, { lingerWhileBusyMs: 10 });

      expect(await writer.write(1)).toBe(2);
      await jest.advanceTimersByTimeAsync(9);
      const second = writer.write(2);
      await jest.advanceTimersByTimeAsync(9);
      expect(batches).toEqual([[1]]);
      const third = writer.write(3);
      await jest.advanceTimersByTimeAsync(1);

      expect(await Promise.all([second, third])).toEqual([4, 6]);
      expect(batches).toEqual([[1], [2, 3]]);
    });

    it('lets the first item waiting behind a write linger too, so writes as slow as the gap between items still share', async () => {
      const { batches, write } = recordingWriter(7);
      const writer = new WriteCoalescer(write, () => false, { lingerWhileBusyMs: 10 });

      const written: Promise<number>[] = [];
      for (let i = 1; i <= 8; i++) {
        written.push(writer.write(i));
        await jest.advanceTimersByTimeAsync(4);
      }
      await jest.advanceTimersByTimeAsync(100);

      expect(await Promise.all(written)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
      // Items every 4 ms, writes of 7 ms. 1 goes alone (nothing came before it), 0-7 ms; 2 comes at
      // 4 during that write and is written at 14, with 3 and 4; 5 comes at 16 during that write and
      // is written at 26, with 6 and 7; 8 at 38.
      expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7], [8]]);
    });
  });

  it('splits a failed batch into single writes when the error may be one item’s, so only that item fails', async () => {
    const writer = new WriteCoalescer<number, number>(
      async (items) => {
        if (items.includes(2)) throw new Error('bad item 2');
        return items.map((i) => i * 2);
      },
      () => true,
      { gatherTurn: true },
    );

    const results = await Promise.allSettled([1, 2, 3].map((i) => writer.write(i)));

    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      2,
      'bad item 2',
      6,
    ]);
  });
});
