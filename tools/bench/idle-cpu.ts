import { idleMsPerSecond } from './cpu-per-call';
import { CpuGroup, snapshotCpu, ticksPerSecond } from './process-cpu';
import { sleep } from './sleep';

/** CPU ms per second each group uses with no load, measured over `seconds` before the load starts. */
export async function measureIdleCpu(groups: readonly CpuGroup[], seconds: number): Promise<Record<string, number>> {
  const started = Date.now();
  const before = snapshotCpu(groups);
  await sleep(seconds * 1000);
  const after = snapshotCpu(groups);
  const elapsed = Date.now() - started;
  const idle: Record<string, number> = {};
  for (const g of groups) {
    const [b, a] = [before[g.name], after[g.name]];
    if (b !== undefined && a !== undefined) idle[g.name] = idleMsPerSecond(b, a, elapsed, ticksPerSecond());
  }
  return idle;
}
