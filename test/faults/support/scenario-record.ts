import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../tools/infra/project-root';

/** Writes a scenario's figures to test-output/faults-results/<name>.json (the source of docs/reliability.md) and prints them. */
export function recordScenario(name: string, figures: Record<string, unknown>): void {
  const dir = join(projectRoot(), 'test-output', 'faults-results');
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify({ scenario: name, at: new Date().toISOString(), ...figures }, null, 2);
  writeFileSync(join(dir, `${name}.json`), `${text}\n`);
  process.stderr.write(`\n[faults] ${name}: ${text}\n`);
}
