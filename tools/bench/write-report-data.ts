import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../infra/project-root';
import { BenchReportData } from './bench-report-data';

export const BENCH_DIR = join(projectRoot(), 'docs', 'benchmarks');

/** Writes docs/benchmarks/<date>-sweep.json (or -trial.json) and the stable latest.json; returns the dated path. */
export function writeReportData(data: BenchReportData): string {
  mkdirSync(BENCH_DIR, { recursive: true });
  const stamp = data.startedAt.slice(0, 16).replace(/[:T]/g, '-');
  const file = join(BENCH_DIR, `${stamp}-${data.trial ? 'trial' : 'sweep'}.json`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(BENCH_DIR, 'latest.json'), text);
  return file;
}
