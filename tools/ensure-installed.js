#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than the lockfile, so both
// `npm run stack` and `npm test` work on a fresh clone. Plain JS: it runs before TypeScript exists.
const { existsSync, lstatSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
// A symlinked node_modules (a git worktree sharing another checkout's) is that checkout's to install:
// `npm ci` here would empty it through the link.
const linked = existsSync(path.join(root, 'node_modules')) && lstatSync(path.join(root, 'node_modules')).isSymbolicLink();
if (stale && linked) console.log('[ensure-installed] node_modules is a symlink; not installing into it');
else if (stale) {
  const command = existsSync(lock) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund';
  console.log(`[ensure-installed] ${command}`);
  execSync(command, { cwd: root, stdio: 'inherit' });
}
