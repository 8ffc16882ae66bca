import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../tools/infra/cache-dir';
import { KAFKA_VERSION } from '../../tools/infra/kafka-jars';
import { projectRoot } from '../../tools/infra/project-root';

export interface PrivateClone {
  /** A mode-700 folder, like /root or a home directory. */
  readonly home: string;
  readonly dir: string;
  /** TMPDIR for commands run from the clone: empty again once they have cleaned up. */
  readonly scratch: string;
  /** A `java` that cannot start, to put first on the PATH. */
  readonly brokenJavaDir: string;
  remove(): void;
}

/**
 * This checkout's committed HEAD cloned into a mode-700 folder, built there, with node_modules
 * borrowed through a symlink (a fresh `npm ci` would cost a minute and prove nothing more here).
 */
export function clonePrivately(): PrivateClone {
  const source = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
  const home = mkdtempSync(join(tmpdir(), 'scs-home-'));
  const dir = join(home, 'clone');
  execFileSync('git', ['clone', '--quiet', source, dir], { stdio: 'pipe' });
  symlinkSync(join(source, 'node_modules'), join(dir, 'node_modules'));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: dir, stdio: 'pipe' });
  const scratch = mkdtempSync(join(tmpdir(), 'scs-scratch-'));
  chmodSync(scratch, 0o755);
  const brokenJavaDir = join(home, 'broken-java');
  mkdirSync(brokenJavaDir);
  writeFileSync(
    join(brokenJavaDir, 'java'),
    '#!/bin/sh\necho "Error: Could not create the Java Virtual Machine." >&2\nexit 1\n',
    { mode: 0o755 },
  );
  return {
    home,
    dir,
    scratch,
    brokenJavaDir,
    remove: () => {
      for (const d of [home, scratch]) rmSync(d, { recursive: true, force: true });
    },
  };
}

export const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Gives the clone, its scratch folder and a copy of the cached Kafka jars to `uid`, as if they had cloned it. */
export function handOver(clone: PrivateClone, uid: number, gid: number): { xdgCacheHome: string } {
  const xdgCacheHome = join(clone.home, '.cache');
  cpSync(cacheDir(`kafka-${KAFKA_VERSION}`), join(xdgCacheHome, 'service-call-scheduler', `kafka-${KAFKA_VERSION}`), {
    recursive: true,
  });
  for (const path of [clone.home, clone.scratch]) execFileSync('chown', ['-R', '-h', `${uid}:${gid}`, path]);
  return { xdgCacheHome };
}
