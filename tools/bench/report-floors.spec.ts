import { BenchReportData } from './bench-report-data';
import { floors, floorsTable } from './report-floors';

const summary = (p50: number, p99: number) => ({ count: 10, p50, p99, max: p99 });
const rate = (offeredRate: number, p50: number, p99: number, seconds = 60, cpu = 0.5) => ({
  offeredRate,
  seconds,
  completedPerSecond: offeredRate,
  submitToTargetMs: summary(p50, p99),
  sustained: true,
  cpu: {
    gateway: { msPerCall: cpu, msPerCallNetOfIdle: cpu },
    'scheduler-core': { msPerCall: cpu, msPerCallNetOfIdle: cpu },
    bench: { msPerCall: 9, msPerCallNetOfIdle: 9 },
  },
});

/** A run as loose JSON, so each case can break one figure of it. */
type Draft = Record<string, any>;

const run = (change: (d: Draft) => void = () => undefined) => {
  const d: Draft = {
    sweep: { rates: [rate(100, 25, 100), rate(200, 20, 50, 60, 2), rate(500, 40, 500)] },
    slowTarget: { targetDelayMs: 2000, allAtTargetMs: 10_000, fastCall: { toTargetMs: 1999 }, notAtTarget: 0 },
    sameSecondTimers: { allAtTargetAfterDueMs: 10_000, early: 0, notAtTarget: 0 },
    latenessUnderLoad: { latenessMs: summary(2, 100), early: 0, notAtTarget: 0 },
  };
  change(d);
  return d as unknown as BenchReportData;
};

const held = (d: BenchReportData) => floors(d).map((f) => f.held);

describe('floors', () => {
  it('holds every floor at its bound, counting the apps but not the bench in the CPU', () => {
    expect(held(run())).toEqual([true, true, true, true, true, true]);
    expect(floorsTable(run())).toContain('| 200 calls/s: ≤ 4 ms of CPU per call, all processes | 4 ms | yes |');
  });

  it.each([
    ['100/s p50', 0, (d: Draft) => (d.sweep.rates[0].submitToTargetMs.p50 = 26)],
    ['100/s p99', 0, (d: Draft) => (d.sweep.rates[0].submitToTargetMs.p99 = 101)],
    ['500/s for less than 60 s', 1, (d: Draft) => (d.sweep.rates[2].seconds = 30)],
    ['500/s not sustained', 1, (d: Draft) => (d.sweep.rates[2].sustained = false)],
    ['500/s p99', 1, (d: Draft) => (d.sweep.rates[2].submitToTargetMs.p99 = 501)],
    ['CPU at 200/s', 2, (d: Draft) => (d.sweep.rates[1].cpu.gateway.msPerCall = 2.01)],
    ['slow calls late', 3, (d: Draft) => (d.slowTarget.allAtTargetMs = 10_001)],
    ['slow calls not all there', 3, (d: Draft) => (d.slowTarget.allAtTargetMs = null)],
    ['fast call held', 3, (d: Draft) => (d.slowTarget.fastCall.toTargetMs = 2000)],
    ['timers late', 4, (d: Draft) => (d.sameSecondTimers.allAtTargetAfterDueMs = 10_001)],
    ['a timer early', 4, (d: Draft) => (d.sameSecondTimers.early = 1)],
    ['lateness p99', 5, (d: Draft) => (d.latenessUnderLoad.latenessMs.p99 = 101)],
    ['a scheduled call early', 5, (d: Draft) => (d.latenessUnderLoad.early = 1)],
  ])('misses only its floor when %s', (_name, index, change) => {
    expect(held(run(change))).toEqual([0, 1, 2, 3, 4, 5].map((i) => i !== index));
  });

  it('says which floors a run did not measure', () => {
    const partial = run((d) => {
      d.sweep.rates = [d.sweep.rates[0]];
      delete d.slowTarget;
    });
    const table = floorsTable(partial);
    expect(table).toContain('| 100 calls/s: submit → target p50 ≤ 25 ms, p99 ≤ 100 ms | 25 / 100 ms | yes |');
    expect(table).toContain('| 200 calls/s: ≤ 4 ms of CPU per call, all processes | not run | – |');
    expect(table).toContain('not run | – |');
    expect(floors(partial).filter((f) => f.measured === undefined)).toHaveLength(3);
  });
});
