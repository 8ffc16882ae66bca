import { readBenchSettings } from './bench-settings';

describe('readBenchSettings', () => {
  it('defaults to the full report: every phase, 50..1000/s for 30 s', () => {
    const s = readBenchSettings({});
    expect(s.phases).toEqual(['sweep', 'slow', 'timers', 'lateness', 'peers']);
    expect(s.rates).toEqual([50, 100, 200, 500, 1000]);
    expect(s.seconds).toBe(30);
    expect(s.timerCalls).toBe(5_000);
  });

  it('is a short trial in quick mode, with single settings still on top', () => {
    const s = readBenchSettings({ BENCH_QUICK: '1', BENCH_SECONDS: '5' });
    expect(s.rates).toEqual([20, 40]);
    expect(s.seconds).toBe(5);
    expect(s.peerRates).toEqual([20, 40]);
    expect(s.peerSeconds).toBe(5);
  });

  it('warms the system up unmeasured for a minute at 100/s unless told otherwise', () => {
    expect(readBenchSettings({})).toMatchObject({ warmupSeconds: 60, warmupRate: 100 });
    expect(readBenchSettings({ BENCH_QUICK: '1' })).toMatchObject({ warmupSeconds: 5, warmupRate: 20 });
    expect(readBenchSettings({ BENCH_WARMUP_SECONDS: '0' }).warmupSeconds).toBe(0);
  });

  it('reads rates and phases, in the fixed phase order', () => {
    const s = readBenchSettings({ BENCH_RATES: '50, 100', BENCH_PHASES: 'peers,sweep' });
    expect(s.rates).toEqual([50, 100]);
    expect(s.phases).toEqual(['sweep', 'peers']);
  });

  it('runs on the Node release the image runs unless told to stay on this host', () => {
    expect(readBenchSettings({}).node).toBe('image');
    expect(readBenchSettings({ BENCH_QUICK: '1' }).node).toBe('image');
    expect(readBenchSettings({ BENCH_NODE: 'host' }).node).toBe('host');
    expect(() => readBenchSettings({ BENCH_NODE: '24' })).toThrow(/BENCH_NODE/);
  });

  it('refuses unknown phases and bad numbers with the variable named', () => {
    expect(() => readBenchSettings({ BENCH_PHASES: 'sweep,nope' })).toThrow(/BENCH_PHASES/);
    expect(() => readBenchSettings({ BENCH_RATES: '50,x' })).toThrow(/BENCH_RATES/);
    expect(() => readBenchSettings({ BENCH_SECONDS: '-1' })).toThrow(/BENCH_SECONDS/);
  });
});
