import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../infra/project-root';
import { BenchReportData } from './bench-report-data';
import { cpuChart, p99Chart } from './report-charts';
import { reportMarkdown, spliceGenerated } from './report-markdown';
import { lineChartSvg } from './svg-line-chart';
import { stackedBarsSvg } from './svg-stacked-bars';
import { BENCH_DIR } from './write-report-data';

export const BEFORE_HEADING = '## Before:';

/** `npm run bench:report [file.json]`: the charts and the tables of docs/benchmarks.md, from the JSON a run wrote. */
function main(): void {
  const source = process.argv[2] ?? join(BENCH_DIR, 'latest.json');
  const data = JSON.parse(readFileSync(source, 'utf8')) as BenchReportData;
  if (data.kind !== 'service-call-scheduler-bench') throw new Error(`${source} is not a bench result`);
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
  process.stdout.write(
    `[bench:report] from ${source}: docs/benchmarks.md, docs/benchmarks/latest-p99.svg, docs/benchmarks/latest-cpu.svg\n`,
  );
}

main();
