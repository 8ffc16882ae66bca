import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A tool fetched once into `dir` (under the cache, outside the clone). `stage` builds it in a private
 * temp dir beside `dir` and returns the directory to move into place, so concurrent first runs never
 * see a half-written tool. Returns the path of `file` inside `dir`.
 */
export function fetchOnce(dir: string, file: string, stage: (work: string) => string): string {
  const path = join(dir, file);
  if (existsSync(path)) return path;
  mkdirSync(dirname(dir), { recursive: true });
  const work = mkdtempSync(`${dir}.tmp-`);
  try {
    const staged = stage(work);
    try {
      renameSync(staged, dir);
    } catch (error) {
      if (!existsSync(path)) throw error; // another run won the race; its copy is as good as ours
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return path;
}

/** `npm pack <spec>` into `into`, checked against the tarball's pinned integrity; returns the tarball's path. */
export function packVerified(spec: string, integrity: string, into: string): string {
  const out = execFileSync('npm', ['pack', spec, '--pack-destination', into, '--json', '--silent'], {
    cwd: into,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  const tarball = join(into, filename);
  const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (actual !== integrity) throw new Error(`${spec}: integrity ${actual}, expected ${integrity}`);
  return tarball;
}
