import { parseSwitches, snapshotSwitches, switchesPerCall } from './context-switches';

describe('parseSwitches', () => {
  it('adds the voluntary and involuntary switches of a status text', () => {
    const status = 'Name:\tjava\nThreads:\t99\nvoluntary_ctxt_switches:\t1200\nnonvoluntary_ctxt_switches:\t34\n';
    expect(parseSwitches(status)).toBe(1234);
  });

  it('reads nothing from a text without them', () => {
    expect(parseSwitches('Name:\tnode\n')).toBe(0);
  });
});

describe('switchesPerCall', () => {
  it('divides the switches of a window by the calls completed in it, to a tenth', () => {
    expect(switchesPerCall(new Map([[7, 1_000]]), new Map([[7, 9_610]]), 100)).toBe(86.1);
  });

  it('counts a process that started in the window from zero and leaves out one that ended in it', () => {
    const before = new Map([
      [7, 1_000],
      [8, 50_000],
    ]);
    const after = new Map([
      [7, 1_500],
      [9, 300],
    ]);
    expect(switchesPerCall(before, after, 100)).toBe(8);
  });

  it('has no figure without both readings or without calls', () => {
    expect(switchesPerCall(undefined, new Map([[7, 10]]), 5)).toBeNull();
    expect(switchesPerCall(new Map([[7, 1]]), new Map([[7, 10]]), 0)).toBeNull();
  });
});

describe('snapshotSwitches', () => {
  it('counts the switches of every thread of a live process, and grows as it waits', async () => {
    const group = { name: 'self', pid: process.pid, withDescendants: false };
    const first = snapshotSwitches([group]).self!.get(process.pid)!;
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 2));
    expect(first).toBeGreaterThan(0);
    expect(snapshotSwitches([group]).self!.get(process.pid)!).toBeGreaterThan(first);
  });

  it('has no reading for a process that is gone', () => {
    expect(snapshotSwitches([{ name: 'gone', pid: 2 ** 22 + 1, withDescendants: true }]).gone).toBeUndefined();
  });
});
