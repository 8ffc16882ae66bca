import { ProcStat } from './proc-stat';

/** `root` and every process below it, found through parent pids, but none of `excluded` nor what is below them. */
export function processTree(root: number, stats: readonly ProcStat[], excluded: readonly number[] = []): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return [];
  const tree: ProcStat[] = [];
  const queue = [rootStat];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(children.get(next.pid) ?? []).filter((c) => !excluded.includes(c.pid)));
  }
  return tree;
}

/**
 * CPU ticks a process has used so far: alone (its own threads only, e.g. the bench, whose children
 * are the processes it measures), or with its descendants. Counting each live
 * process's own ticks plus the ticks of children it has reaped means a Postgres backend that exits
 * between two samples moves from one term to the other instead of vanishing.
 */
export function cpuTicks(
  root: number,
  stats: readonly ProcStat[],
  withDescendants: boolean,
  excluded: readonly number[] = [],
): number | undefined {
  if (!withDescendants) return stats.find((s) => s.pid === root)?.ownTicks;
  const members = processTree(root, stats, excluded);
  if (members.length === 0) return undefined;
  return members.reduce((sum, s) => sum + s.ownTicks + s.reapedChildTicks, 0);
}
