import { BenchReportData } from './bench-report-data';
import { isLoadGenerator } from './load-generator';
import { RateResult } from './rate-result';
import { LineChart } from './svg-line-chart';
import { StackedBarChart } from './svg-stacked-bars';
import { SweepResult } from './sweep';

/** Every measured system's sweep, the scheduler first, named as in the report. */
export function sweepsOf(data: BenchReportData): { name: string; sweep: SweepResult }[] {
  return [
    ...(data.sweep ? [{ name: 'scheduler', sweep: data.sweep }] : []),
    ...(data.peers ?? []).flatMap((p) => (p.sweep ? [{ name: `${p.peer} ${p.mode}`, sweep: p.sweep }] : [])),
  ];
}

/** p99 submit → target against the offered rate, one line per system, with the 1 s limit drawn. */
export function p99Chart(data: BenchReportData): LineChart {
  return {
    title: `p99 submit → target (from intended send time)${data.trial ? ' — TRIAL' : ''}`,
    xLabel: 'offered calls per second (open loop)',
    yLabel: 'ms (log scale)',
    series: sweepsOf(data).map(({ name, sweep }) => ({
      name,
      points: sweep.rates.map((r) => [r.offeredRate, r.submitToTargetMs.p99] as const),
    })),
    threshold: { y: 1_000, label: 'p99 limit for "sustained" (1 s)' },
  };
}

/**
 * CPU ms per completed call, stacked by process, one bar per system at one offered rate: the
 * highest rate every system ran (so the bars compare like with like), else each one's lowest.
 */
export function cpuChart(data: BenchReportData): StackedBarChart {
  const sweeps = sweepsOf(data);
  const common =
    sweeps.length === 0
      ? []
      : sweeps.map((s) => s.sweep.rates.map((r) => r.offeredRate)).reduce((a, b) => a.filter((x) => b.includes(x)));
  const reference = common.length > 0 ? Math.max(...common) : undefined;
  const bars = sweeps.flatMap(({ name, sweep }) => {
    const row: RateResult | undefined =
      reference !== undefined ? sweep.rates.find((r) => r.offeredRate === reference) : sweep.rates[0];
    if (!row) return [];
    const parts: Record<string, number> = {};
    for (const [process, cpu] of Object.entries(row.cpu))
      if (!isLoadGenerator(process) && cpu?.msPerCall != null) parts[process] = cpu.msPerCall;
    return [{ label: reference !== undefined ? name : `${name} @${row.offeredRate}/s`, parts }];
  });
  return {
    title: `CPU ms per completed call by process${reference !== undefined ? ` at ${reference} calls/s` : ''}${data.trial ? ' — TRIAL' : ''}`,
    yLabel: 'CPU ms per call (gross, idle included)',
    bars,
  };
}
