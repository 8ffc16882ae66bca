#!/usr/bin/env node
// Installs dependencies when node_modules is missing or older than the lockfile, so both
// `npm run stack` and `npm test` work on a fresh clone. Plain JS: it runs before TypeScript exists.
const { existsSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  const command = existsSync(lock) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund';
  console.log(`[ensure-installed] ${command}`);
  execSync(command, { cwd: root, stdio: 'inherit' });
}
