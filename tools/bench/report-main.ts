import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchReportData } from './bench-report-data';
import { renderReport } from './render-report';
import { BENCH_DIR } from './write-report-data';

/** `npm run bench:report [file.json]`: the charts and the tables of docs/benchmarks.md, from the JSON a run wrote. */
function main(): void {
  const source = process.argv[2] ?? join(BENCH_DIR, 'latest.json');
  const data = JSON.parse(readFileSync(source, 'utf8')) as BenchReportData;
  if (data.kind !== 'service-call-scheduler-bench') throw new Error(`${source} is not a bench result`);
  renderReport(data);
  process.stdout.write(
    `[bench:report] from ${source}: docs/benchmarks.md, docs/benchmarks/latest-p99.svg, docs/benchmarks/latest-cpu.svg\n`,
  );
}

main();
