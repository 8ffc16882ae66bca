import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cacheDir } from '../../tools/infra/cache-dir';
import { helmBinary } from '../../tools/infra/helm';
import { projectRoot } from '../../tools/infra/project-root';
import { K8sObject } from './k8s-object';

export const CHART_DIR = join(projectRoot(), 'k8s/service-call-scheduler');
export const CI_VALUES = join(CHART_DIR, 'ci/ci-values.yaml');
export const RELEASE = 'scs';
export const NAMESPACE = 'scheduler';

/** Helm's own config, cache and data apart from the user's, so their repositories and plugins play no part. */
const HELM_HOME = cacheDir('helm-home');
const HELM_ENV = {
  ...process.env,
  HELM_CONFIG_HOME: join(HELM_HOME, 'config'),
  HELM_CACHE_HOME: join(HELM_HOME, 'cache'),
  HELM_DATA_HOME: join(HELM_HOME, 'data'),
};

/** Runs the cached Helm binary; a non-zero exit throws with Helm's stderr in the message. */
export function helm(args: string[]): string {
  try {
    return execFileSync(helmBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: HELM_ENV });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

/** `helm lint --strict` (warnings fail too); returns Helm's report. */
export function lintChart(chartDir: string, args: string[] = []): string {
  return helm(['lint', chartDir, '--strict', ...args]);
}

/** `helm template` with the CI values plus extra flags, parsed into objects (hooks included). */
export function renderChart(args: string[] = []): K8sObject[] {
  const manifest = helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '-f', CI_VALUES, ...args]);
  return parseAllDocuments(manifest)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}
