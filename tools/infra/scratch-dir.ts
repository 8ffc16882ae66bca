import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OWNER_FILE = 'owner';

/**
 * A throwaway folder for one server run, marked with the command that made it. A command killed
 * with SIGKILL takes its servers along (parent-death signal) but cannot remove their files, so
 * each start first removes the folders whose command is gone.
 */
export function makeScratchDir(parent: string, prefix: string, ownerPid = process.pid): string {
  removeAbandoned(parent, prefix);
  const dir = mkdtempSync(join(parent, prefix));
  writeFileSync(join(dir, OWNER_FILE), processIdentity(ownerPid) ?? '');
  return dir;
}

function removeAbandoned(parent: string, prefix: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(parent, name);
    try {
      const owner = readFileSync(join(dir, OWNER_FILE), 'utf8');
      if (owner && processIdentity(Number(owner.split(' ')[0])) !== owner) rmSync(dir, { recursive: true, force: true });
    } catch {
      // unmarked (made by something else), another user's, or removed meanwhile: leave it
    }
  }
}

/** pid and start time (Linux /proc), so a pid the system has since reused does not pass for the owner. */
function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return `${pid} ${startTime}`;
  } catch {
    return undefined;
  }
}
