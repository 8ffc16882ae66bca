import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** True when every folder down to `path` lets other users through (mode o+x), so another account can reach it. */
export function traversableByOthers(path: string): boolean {
  let dir = realpathSync(path);
  for (;;) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    const parent = dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}
