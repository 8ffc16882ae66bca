import { defaultMaxPerKey, FairConcurrencyLimit } from './fair-concurrency-limit';

/** A task that runs until released, recording when it started. */
function gate(started: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      started.push(name);
      await done;
    },
    open: () => open(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FairConcurrencyLimit', () => {
  it('runs at most max tasks at once', async () => {
    const limit = new FairConcurrencyLimit(2, 2);
    const started: string[] = [];
    const gates = ['a', 'b', 'c'].map((n) => gate(started, n));
    const runs = gates.map((g, i) => limit.run(`k${i}`, g.task));
    await settle();
    expect(started).toEqual(['a', 'b']);
    gates[0].open();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    gates.forEach((g) => g.open());
    await Promise.all(runs);
    expect(limit.running).toBe(0);
  });

  it('keeps slots for other keys while one key holds its share', async () => {
    const limit = new FairConcurrencyLimit(4, 3);
    const started: string[] = [];
    const slow = [1, 2, 3, 4, 5].map((i) => gate(started, `slow${i}`));
    const runs = slow.map((g) => limit.run('slow-origin', g.task));
    await settle();
    expect(started).toEqual(['slow1', 'slow2', 'slow3']);
    const fast = gate(started, 'fast');
    const fastRun = limit.run('fast-origin', fast.task);
    await settle();
    expect(started).toContain('fast');
    fast.open();
    await fastRun;
    slow.forEach((g) => g.open());
    await Promise.all(runs);
    expect(started.filter((s) => s.startsWith('slow'))).toEqual(['slow1', 'slow2', 'slow3', 'slow4', 'slow5']);
  });

  it('starts waiting tasks round-robin across keys, in arrival order within a key', async () => {
    const limit = new FairConcurrencyLimit(1, 1);
    const started: string[] = [];
    const first = gate(started, 'first');
    const all = [limit.run('x', first.task)];
    const names = ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'];
    const gates = names.map((n) => gate(started, n));
    names.forEach((n, i) => all.push(limit.run(n[0], gates[i].task)));
    await settle();
    first.open();
    for (const g of gates) {
      await settle();
      g.open();
    }
    await Promise.all(all);
    expect(started).toEqual(['first', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('gives a newcomer no slot ahead of its own key’s waiting tasks', async () => {
    const limit = new FairConcurrencyLimit(2, 1);
    const started: string[] = [];
    const a1 = gate(started, 'a1');
    const a2 = gate(started, 'a2');
    const a3 = gate(started, 'a3');
    const runs = [limit.run('a', a1.task), limit.run('a', a2.task)];
    await settle();
    a1.open();
    runs.push(limit.run('a', a3.task));
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    a2.open();
    a3.open();
    await Promise.all(runs);
    expect(started).toEqual(['a1', 'a2', 'a3']);
  });

  it('frees the slot of a task that failed', async () => {
    const limit = new FairConcurrencyLimit(1, 1);
    await expect(limit.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run('k', async () => 'ran')).resolves.toBe('ran');
    expect(limit.running).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new FairConcurrencyLimit(0, 1)).toThrow(RangeError);
    expect(() => new FairConcurrencyLimit(1, 0)).toThrow(RangeError);
  });

  it('keeps a tenth of the slots (rounded down) for other keys by default', () => {
    expect(defaultMaxPerKey(100)).toBe(90);
    expect(defaultMaxPerKey(10)).toBe(9);
    expect(defaultMaxPerKey(9)).toBe(9);
    expect(defaultMaxPerKey(2)).toBe(2);
    expect(defaultMaxPerKey(1)).toBe(1);
  });
});
