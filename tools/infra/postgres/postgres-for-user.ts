import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InfrastructureError } from '../infrastructure-error';
import { traversableByOthers } from '../traversable';
import { PostgresBuild } from './packaged-postgres';

/**
 * Root runs Postgres as the `postgres` user, who cannot reach node_modules inside a clone under a
 * mode-700 home such as /root. So root gets a copy, made once per build, in /var/cache: only root
 * can write there (nobody can plant binaries), it survives reboots, and every user can traverse it.
 * Anyone else runs Postgres as themselves, straight from node_modules.
 */
export function postgresReachableBy(
  build: PostgresBuild,
  asRoot: boolean,
  cacheRoot = '/var/cache/service-call-scheduler',
): string {
  if (!asRoot) return build.home;
  const home = join(cacheRoot, `postgres-${build.version}-${process.platform}-${process.arch}`);
  if (existsSync(join(home, 'bin', 'postgres'))) return home;
  try {
    mkdirSync(cacheRoot, { recursive: true });
    chmodSync(cacheRoot, 0o755);
    const copy = mkdtempSync(join(cacheRoot, '.copying-'));
    cpSync(build.home, copy, { recursive: true, verbatimSymlinks: true });
    openUp(copy);
    try {
      renameSync(copy, home);
    } catch (error) {
      rmSync(copy, { recursive: true, force: true });
      if (!existsSync(join(home, 'bin', 'postgres'))) throw error; // else another start copied it first
    }
  } catch (error) {
    throw new InfrastructureError(
      `embedded Postgres: could not copy its binaries to ${home} for the postgres user (${(error as Error).message})`,
      'Make /var/cache writable for root, run as an ordinary user, or set DATABASE_URL',
      { cause: error },
    );
  }
  if (!traversableByOthers(home)) {
    throw new InfrastructureError(
      `embedded Postgres: the postgres user cannot reach ${home}`,
      'Make /var/cache traversable (chmod o+x), or set DATABASE_URL',
    );
  }
  return home;
}

/** Whatever umask npm or root had: folders and executables 755, other files 644. */
function openUp(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(path);
    else chmodSync(path, statSync(path).mode & 0o100 ? 0o755 : 0o644);
  }
}
