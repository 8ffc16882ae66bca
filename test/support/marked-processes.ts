import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface MarkedProcess {
  readonly pid: number;
  readonly uid: number;
  /** The executable's path, or '' when the kernel would not say. */
  readonly exe: string;
  readonly command: string;
}

/**
 * Live processes whose environment holds `marker` (NAME=value): everything a command started,
 * however deep, since children inherit the environment. Reading other users' environments takes root.
 */
export function markedProcesses(marker: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'latin1');
      if (/^State:\s+Z/m.test(status)) continue;
      found.push({
        pid: Number(entry),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]),
        exe: readExe(entry),
        command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim().slice(0, 160),
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Samples marked processes until stopped, so a test can tell what a short-lived run started. */
export function watchMarkedProcesses(marker: string, everyMs = 100): { seen: () => MarkedProcess[]; stop: () => void } {
  const seen = new Map<number, MarkedProcess>();
  const sample = () => {
    for (const p of markedProcesses(marker)) seen.set(p.pid, p);
  };
  const timer = setInterval(sample, everyMs);
  sample();
  return { seen: () => [...seen.values()], stop: () => clearInterval(timer) };
}

/** Waits until no marked process is left, and returns whatever still is after `timeoutMs`. */
export async function markedProcessesAfter(marker: string, timeoutMs: number): Promise<MarkedProcess[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = markedProcesses(marker);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readExe(pid: string): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}
