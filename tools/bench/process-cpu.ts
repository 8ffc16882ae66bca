import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, ProcStat } from './proc-stat';
import { cpuTicks } from './process-tree';

/** One measured process: an app's node process, the broker's JVM, a Postgres postmaster with its backends. */
export interface CpuGroup {
  readonly name: string;
  readonly pid: number;
  readonly withDescendants: boolean;
  /** Descendants whose CPU belongs to another group (the bench's own Postgres backend). */
  readonly excluded?: readonly number[];
}

export type CpuSnapshot = Readonly<Record<string, number | undefined>>;

/** Reads every process's CPU ticks from /proc; processes that vanish mid-read are skipped. */
export function readAllProcStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // exited between readdir and read
    }
  }
  return stats;
}

/** `stats` lets a caller that also snapshots switches at the same instant read /proc once. */
export function snapshotCpu(groups: readonly CpuGroup[], stats: readonly ProcStat[] = readAllProcStats()): CpuSnapshot {
  return Object.fromEntries(groups.map((g) => [g.name, cpuTicks(g.pid, stats, g.withDescendants, g.excluded)]));
}

let clockTicks: number | undefined;
/** `getconf CLK_TCK`: the unit of /proc stat times. */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** The parent pid of a process, from /proc. */
export function parentPid(pid: number): number | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ppid;
  } catch {
    return undefined;
  }
}
