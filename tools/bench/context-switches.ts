import { readdirSync, readFileSync } from 'node:fs';
import { CpuGroup, readAllProcStats } from './process-cpu';
import { processTree } from './process-tree';

export type SwitchSnapshot = Readonly<Record<string, number | undefined>>;

/**
 * Context switches each group has made so far: every thread of the process, and of its descendants
 * when the group has them. A hop between processes costs a switch on each side (and a Kafka request
 * a few more between the broker's threads), and on a virtual machine each one that wakes an idle
 * CPU is dear, so switches per call say where CPU per call goes whatever one switch costs.
 */
export function snapshotSwitches(groups: readonly CpuGroup[]): SwitchSnapshot {
  const stats = readAllProcStats();
  return Object.fromEntries(
    groups.map((g) => {
      const pids = g.withDescendants ? processTree(g.pid, stats, g.excluded).map((s) => s.pid) : [g.pid];
      return [g.name, pids.length === 0 ? undefined : pids.reduce((sum, pid) => sum + processSwitches(pid), 0)];
    }),
  );
}

/** Switches per completed call over a window; null when a reading is missing or nothing completed. */
export function switchesPerCall(before: number | undefined, after: number | undefined, calls: number): number | null {
  if (before === undefined || after === undefined || calls === 0) return null;
  return Math.round(((after - before) / calls) * 10) / 10;
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
