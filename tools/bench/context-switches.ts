import { readdirSync, readFileSync } from 'node:fs';
import { ProcStat } from './proc-stat';
import { CpuGroup, readAllProcStats } from './process-cpu';
import { processTree } from './process-tree';

/** Per group, the switches of each of its processes so far, by pid. */
export type SwitchSnapshot = Readonly<Record<string, ReadonlyMap<number, number> | undefined>>;

/**
 * Context switches each group has made so far: every thread of the process, and of its descendants
 * when the group has them. A hop between processes costs a switch on each side (and a Kafka request
 * a few more between the broker's threads), and on a virtual machine each one that wakes an idle
 * CPU is dear, so switches per call say where CPU per call goes whatever one switch costs.
 */
export function snapshotSwitches(
  groups: readonly CpuGroup[],
  stats: readonly ProcStat[] = readAllProcStats(),
): SwitchSnapshot {
  return Object.fromEntries(
    groups.map((g) => {
      const pids = g.withDescendants ? processTree(g.pid, stats, g.excluded).map((s) => s.pid) : [g.pid];
      return [g.name, pids.length === 0 ? undefined : new Map(pids.map((pid) => [pid, processSwitches(pid)]))];
    }),
  );
}

/**
 * Switches per completed call over a window, summed per process: a process that started in the
 * window counts from zero, and one that ended in it is left out (its switches cannot be read any
 * more; summing the groups' totals instead made the figure negative when a busy Postgres backend
 * ended). Null when a reading is missing or nothing completed.
 */
export function switchesPerCall(
  before: ReadonlyMap<number, number> | undefined,
  after: ReadonlyMap<number, number> | undefined,
  calls: number,
): number | null {
  if (before === undefined || after === undefined || calls === 0) return null;
  let switches = 0;
  for (const [pid, count] of after) switches += count - (before.get(pid) ?? 0);
  return Math.round((switches / calls) * 10) / 10;
}

/** Voluntary and involuntary switches from one `/proc/.../status` text. */
export function parseSwitches(status: string): number {
  let sum = 0;
  for (const match of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) sum += Number(match[1]);
  return sum;
}

/** A process's status counts its main thread only; its threads are under task/. One that exits meanwhile counts 0. */
function processSwitches(pid: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let sum = 0;
  for (const tid of tasks) {
    try {
      sum += parseSwitches(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
    } catch {
      // the thread ended between readdir and read
    }
  }
  return sum;
}
