import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The clone's root, found from both the TypeScript sources and the compiled dist/. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no project root above ${from}`);
    dir = parent;
  }
  return dir;
}
