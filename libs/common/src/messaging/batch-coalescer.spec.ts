import { BatchCoalescer } from './batch-coalescer';
import { BatchOutcome } from './consumed-message';

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** A handler that records each call and fails any call holding an item starting with `poison`. */
function recordingHandler(options: { fail?: () => Error; completions?: boolean } = {}) {
  const calls: string[][] = [];
  const handle = async (items: readonly string[]): Promise<BatchOutcome> => {
    calls.push([...items]);
    await Promise.resolve();
    if (items.some((i) => i.startsWith('poison'))) throw (options.fail ?? (() => new Error('bad item')))();
    return options.completions ? { completions: items.map((i) => Promise.resolve(`done ${i}`)) } : undefined;
  };
  return { calls, handle };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('BatchCoalescer', () => {
  it('joins the parts submitted in one turn into one call and gives each part its own completions', async () => {
    const { calls, handle } = recordingHandler({ completions: true });
    const coalescer = new BatchCoalescer(handle, 100);
    const [a, b] = await Promise.all([coalescer.submit(['a1', 'a2']), coalescer.submit(['b1'])]);
    expect(calls).toEqual([['a1', 'a2', 'b1']]);
    expect(await Promise.all(a!.completions)).toEqual(['done a1', 'done a2']);
    expect(await Promise.all(b!.completions)).toEqual(['done b1']);
  });

  it('does not join parts of different turns', async () => {
    const { calls, handle } = recordingHandler();
    const coalescer = new BatchCoalescer(handle, 100);
    const first = coalescer.submit(['a1']);
    await nextTurn();
    await Promise.all([first, coalescer.submit(['b1'])]);
    expect(calls).toEqual([['a1'], ['b1']]);
  });

  it('starts another call where a part would pass the most items of one', async () => {
    const { calls, handle } = recordingHandler();
    const coalescer = new BatchCoalescer(handle, 3);
    await Promise.all([coalescer.submit(['a1', 'a2']), coalescer.submit(['b1', 'b2']), coalescer.submit(['c1'])]);
    expect(calls).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2', 'c1'],
    ]);
  });

  it("handles each part alone after a joint call fails for what an item is: only the poison's part fails", async () => {
    const { calls, handle } = recordingHandler();
    const coalescer = new BatchCoalescer(handle, 100);
    const results = await Promise.allSettled([
      coalescer.submit(['a1']),
      coalescer.submit(['b1', 'poison b2']),
      coalescer.submit(['c1']),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a1', 'b1', 'poison b2', 'c1'], ['a1'], ['b1', 'poison b2'], ['c1']]);
  });

  it('fails every part on a transient fault without handling them again, so each retries its own', async () => {
    const { calls, handle } = recordingHandler({ fail: connectionRefused });
    const coalescer = new BatchCoalescer(handle, 100);
    const results = await Promise.allSettled([coalescer.submit(['a1']), coalescer.submit(['poison b1'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toEqual([['a1', 'poison b1']]);
  });
});
