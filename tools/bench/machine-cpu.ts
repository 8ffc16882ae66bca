import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The machine's CPU time from the aggregate `cpu` line of /proc/stat, in clock ticks over all cores. */
export interface MachineCpuReading {
  /** user, nice, system, irq, softirq and steal: time the cores were not free (steal: taken by the hypervisor). */
  readonly busyTicks: number;
  /** busy plus idle and iowait. */
  readonly totalTicks: number;
}

/** How many of the machine's cores were busy over a window, whoever used them (kernel and other processes included). */
export interface MachineBusy {
  readonly busyCores: number;
  readonly cores: number;
}

/** Parses the aggregate `cpu` line; guest time is already inside user and nice, so it is not added again. */
export function parseMachineCpu(procStat: string): MachineCpuReading {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map((v) => Number(v) || 0);
  const busyTicks = user + nice + system + irq + softirq + steal;
  return { busyTicks, totalTicks: busyTicks + idle + iowait };
}

export function readMachineCpu(): MachineCpuReading | undefined {
  try {
    return parseMachineCpu(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined; // not Linux
  }
}

/** The busy share of the window times the cores, to a hundredth; none without two readings that differ. */
export function machineBusy(
  before: MachineCpuReading | undefined,
  after: MachineCpuReading | undefined,
  cores = cpus().length,
): MachineBusy | undefined {
  if (!before || !after) return undefined;
  const total = after.totalTicks - before.totalTicks;
  if (total <= 0) return undefined;
  const busyCores = ((after.busyTicks - before.busyTicks) / total) * cores;
  return { busyCores: Math.round(busyCores * 100) / 100, cores };
}
