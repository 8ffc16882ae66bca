import { BenchReportData } from './bench-report-data';
import { cpuChart, p99Chart } from './report-charts';
import { RateResult } from './rate-result';
import { SweepResult } from './sweep';

const row = (offeredRate: number, p99: number, cpu: Record<string, number>): RateResult =>
  ({
    offeredRate,
    submitToTargetMs: { count: 1, p50: p99, p99, max: p99 },
    cpu: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, { cpuMs: 0, msPerCall: v, idleMsPerSecond: 0, msPerCallNetOfIdle: v }]),
    ),
  }) as unknown as RateResult;
const sweep = (rates: RateResult[]) => ({ rates }) as unknown as SweepResult;

const data = {
  trial: false,
  sweep: sweep([
    row(50, 100, { gateway: 2, postgres: 3, bench: 1 }),
    row(100, 400, { gateway: 1.5, postgres: 2.5, bench: 1 }),
    row(200, 5_000, { gateway: 1, postgres: 2 }),
  ]),
  peers: [
    {
      peer: 'pg-boss',
      mode: 'tuned',
      sweep: sweep([row(50, 700, { worker: 1, postgres: 1 }), row(100, 800, { worker: 0.5, postgres: 1 })]),
    },
    { peer: 'bullmq', mode: 'default', skipped: 'no Redis' },
  ],
} as unknown as BenchReportData;

describe('p99Chart', () => {
  it('has one series per system that ran, scheduler first', () => {
    const chart = p99Chart(data);
    expect(chart.series.map((s) => s.name)).toEqual(['scheduler', 'pg-boss tuned']);
    expect(chart.series[0].points).toEqual([
      [50, 100],
      [100, 400],
      [200, 5_000],
    ]);
  });
});

describe('cpuChart', () => {
  it('compares every system at the highest rate all of them ran, without the load generator', () => {
    const chart = cpuChart(data);
    expect(chart.title).toContain('at 100 calls/s');
    expect(chart.bars).toEqual([
      { label: 'scheduler', parts: { gateway: 1.5, postgres: 2.5 } },
      { label: 'pg-boss tuned', parts: { worker: 0.5, postgres: 1 } },
    ]);
  });
});
