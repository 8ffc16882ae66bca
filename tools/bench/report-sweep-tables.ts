import { totalCpuMsPerCall } from './cpu-per-call';
import { isLoadGenerator } from './load-generator';
import { markdownTable, triple } from './markdown-table';
import { SweepResult } from './sweep';

/** Throughput, latency, backlog and correctness per offered rate. */
export function sweepTable(sweep: SweepResult, acceptWord: string, completedWord: string): string {
  return markdownTable(
    [
      'offered/s',
      `${acceptWord}/s`,
      'at target/s',
      `${completedWord}/s`,
      `${acceptWord} latency p50 / p99 / max (ms)`,
      '→ target p50 / p99 / max (ms)',
      `→ ${completedWord} p50 / p99 / max (ms)`,
      'backlog at end (target / done)',
      'backlog growth /s',
      'after drain',
      'duplicates',
      'lost',
      'refused',
      'sustained',
    ],
    sweep.rates.map((r) => [
      r.offeredRate,
      r.submittedPerSecond,
      r.atTargetPerSecond,
      r.completedPerSecond,
      triple(r.acceptLatencyMs),
      triple(r.submitToTargetMs),
      triple(r.submitToCompletedMs),
      `${r.backlogAtWindowEnd.notAtTarget} / ${r.backlogAtWindowEnd.notCompleted}`,
      r.backlogGrowthPerSecond,
      `${r.backlogAfterDrain.notAtTarget} / ${r.backlogAfterDrain.notCompleted} (${Math.round(r.drainWaitedMs / 1000)} s)`,
      r.duplicates,
      `${r.lost.notAtTarget} / ${r.lost.notCompleted}`,
      Object.entries(r.refused)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 0,
      r.sustained ? 'yes' : 'no',
    ]),
  );
}

/** CPU ms per completed call for each process, gross and net of idle, plus the idle rate. */
export function cpuTable(sweep: SweepResult): string {
  const processes = [...new Set(sweep.rates.flatMap((r) => Object.keys(r.cpu)))];
  return markdownTable(
    ['offered/s', 'completed in window', ...processes.map((p) => `${p} (net)`), 'total without bench (net)'],
    [
      ['idle ms/s', '', ...processes.map((p) => sweep.idleCpuMsPerSecond[p] ?? null), ''],
      ...sweep.rates.map((r) => [
        r.offeredRate,
        r.completedInWindow,
        ...processes.map((p) => (r.cpu[p] ? `${r.cpu[p].msPerCall ?? '–'} (${r.cpu[p].msPerCallNetOfIdle ?? '–'})` : null)),
        `${totalCpuMsPerCall(r.cpu, 'msPerCall')} (${totalCpuMsPerCall(r.cpu, 'msPerCallNetOfIdle')})`,
      ]),
    ],
  );
}

/** Context switches per completed call for each process (runs from before the figure existed show none). */
export function switchesTable(sweep: SweepResult): string | undefined {
  const rates = sweep.rates.filter((r) => r.contextSwitchesPerCall);
  if (rates.length === 0) return undefined;
  const processes = [...new Set(rates.flatMap((r) => Object.keys(r.contextSwitchesPerCall!)))];
  const measured = processes.filter((p) => !isLoadGenerator(p));
  return markdownTable(
    ['offered/s', ...processes, 'total without bench'],
    rates.map((r) => {
      const perCall = r.contextSwitchesPerCall!;
      const total = measured.reduce((s, p) => s + (perCall[p] ?? 0), 0);
      return [r.offeredRate, ...processes.map((p) => perCall[p] ?? null), Math.round(total * 10) / 10];
    }),
  );
}

/** How busy the whole machine was, and the bench's own event-loop delay, per rate (runs from before a figure existed show a dash). */
export function machineLoadTable(sweep: SweepResult): string | undefined {
  const rates = sweep.rates.filter((r) => r.benchLoopDelayMs !== undefined || r.machine !== undefined);
  if (rates.length === 0) return undefined;
  return markdownTable(
    ['offered/s', 'machine busy (cores)', 'bench event-loop delay p50 / p99 / max (ms)'],
    rates.map((r) => [
      r.offeredRate,
      r.machine ? `${r.machine.busyCores} of ${r.machine.cores}` : null,
      r.benchLoopDelayMs ? triple(r.benchLoopDelayMs) : null,
    ]),
  );
}

/** Each hop's p50 / p99 per rate, from the apps' histograms (runs from before the figure existed, and peers, show none). */
export function hopLatencyTable(sweep: SweepResult): string | undefined {
  const rates = sweep.rates.filter((r) => r.hopLatency && r.hopLatency.length > 0);
  if (rates.length === 0) return undefined;
  const hops = [...new Set(rates.flatMap((r) => r.hopLatency!.map((h) => h.hop)))];
  return markdownTable(
    ['offered/s', ...hops.map((h) => `${h} p50 / p99 (ms)`)],
    rates.map((r) => [
      r.offeredRate,
      ...hops.map((hop) => {
        const h = r.hopLatency!.find((x) => x.hop === hop);
        return h ? `${h.p50Ms ?? '–'} / ${h.p99Ms ?? '–'}` : null;
      }),
    ]),
  );
}
