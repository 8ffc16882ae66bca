import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../infra/project-root';
import { BenchReportData } from './bench-report-data';
import { cpuChart, p99Chart } from './report-charts';
import { reportMarkdown, spliceGenerated } from './report-markdown';
import { lineChartSvg } from './svg-line-chart';
import { stackedBarsSvg } from './svg-stacked-bars';
import { BENCH_DIR } from './write-report-data';

/** Where the generated section goes in a document that has none yet. */
const BEFORE_HEADING = '## Before:';

/** Draws the two charts under docs/benchmarks/ and rewrites the generated part of docs/benchmarks.md from one run. */
export function renderReport(data: BenchReportData): void {
  writeFileSync(join(BENCH_DIR, 'latest-p99.svg'), lineChartSvg(p99Chart(data)));
  writeFileSync(join(BENCH_DIR, 'latest-cpu.svg'), stackedBarsSvg(cpuChart(data)));
  const docPath = join(projectRoot(), 'docs', 'benchmarks.md');
  const doc = readFileSync(docPath, 'utf8');
  writeFileSync(
    docPath,
    spliceGenerated(
      doc,
      reportMarkdown(data, { p99: 'benchmarks/latest-p99.svg', cpu: 'benchmarks/latest-cpu.svg' }),
      BEFORE_HEADING,
    ),
  );
}
