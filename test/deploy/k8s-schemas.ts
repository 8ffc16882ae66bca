import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { K8sObject } from './k8s-object';

/** Schema violations of the objects, one line each (see validate-k8s.mjs); [] when all are valid. */
export function schemaViolations(objects: K8sObject[]): string[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'validate-k8s.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}
