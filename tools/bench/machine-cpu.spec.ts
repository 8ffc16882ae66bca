import { machineBusy, parseMachineCpu, readMachineCpu } from './machine-cpu';

const STAT = ['cpu  1000 10 300 5000 40 5 60 25 7 0', 'cpu0 500 5 150 2500 20 2 30 12 3 0', 'intr 12345', ''].join('\n');

describe('parseMachineCpu', () => {
  it('counts user, nice, system, irq, softirq and steal as busy, and idle and iowait besides in the total', () => {
    expect(parseMachineCpu(STAT)).toEqual({ busyTicks: 1400, totalTicks: 6440 });
  });

  it('refuses a text without the aggregate line', () => {
    expect(() => parseMachineCpu('cpu0 1 2 3 4\n')).toThrow('no aggregate cpu line');
  });
});

describe('machineBusy', () => {
  it('gives the busy share of the window in cores', () => {
    const before = { busyTicks: 1_000, totalTicks: 4_000 };
    const after = { busyTicks: 1_000 + 150, totalTicks: 4_000 + 200 };
    expect(machineBusy(before, after, 2)).toEqual({ busyCores: 1.5, cores: 2 });
  });

  it('has no figure without both readings or when no time passed', () => {
    const reading = { busyTicks: 10, totalTicks: 20 };
    expect(machineBusy(undefined, reading, 2)).toBeUndefined();
    expect(machineBusy(reading, reading, 2)).toBeUndefined();
  });

  it('reads this machine: some time passes, and busy never exceeds the cores', async () => {
    const before = readMachineCpu();
    const until = Date.now() + 50;
    while (Date.now() < until); // keep one core busy for a moment
    await new Promise((r) => setTimeout(r, 30));
    const busy = machineBusy(before, readMachineCpu());
    expect(busy).toBeDefined();
    expect(busy!.busyCores).toBeGreaterThan(0);
    expect(busy!.busyCores).toBeLessThanOrEqual(busy!.cores);
  });
});
