import { BenchReportData } from './bench-report-data';
import { SUSTAINED_RULE } from './sustained-rate';

/** The machine, versions and settings that go beside every figure. */
export function contextMarkdown(d: BenchReportData): string {
  const s = d.settings;
  const m = d.machine;
  const lines = [
    `- **Run**: ${d.startedAt} → ${d.finishedAt}, commit \`${d.gitCommit}\`${d.trial ? ' — **TRIAL** (quick mode, low rates, short windows, shared busy machine: not figures to compare)' : ''}.`,
    `- **Machine**: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}; load average at start ${m.loadAverageAtStart}${m.wakeUpCpuMicros === undefined ? '' : `; a wake-up of an idle process costs ${m.wakeUpCpuMicros} µs of CPU`}. Load generator, target, Postgres, broker and apps all on this machine.`,
    `- **Versions**: ${Object.entries(d.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `- **Postgres**: ${d.postgres.description}, \`fsync=${d.postgres.fsync}\`, \`synchronous_commit=${d.postgres.synchronousCommit}\` (checked with \`SHOW\` before the load). **Broker**: ${d.broker}.`,
    `- **Settings**: \`KAFKA_PARTITIONS=${s.partitions}\`, \`LOG_LEVEL=${s.logLevel}\`, one process per app; rates ${s.rates.join(', ')}/s for ${s.seconds} s each (open loop, latency from the intended send time), drain wait up to ${s.drainSeconds} s after the last answer, ${s.settleSeconds} s pause between rates, ${warmupText(s)}idle CPU measured for ${s.idleSeconds} s before the load; undici pool of ${s.httpConnections} keep-alive connections to the gateway.`,
    `- **Sustained** means: completed within the window ≥ ${SUSTAINED_RULE.minCompletedShare * 100} % of offered, backlog not growing over the window's second half (slope ≤ ${SUSTAINED_RULE.maxBacklogGrowthShare * 100} % of the rate), and p99 submit → target ≤ ${SUSTAINED_RULE.maxP99ToTargetMs} ms.`,
    `- **CPU**: ${d.cpuMethod}.`,
  ];
  return lines.join('\n');
}

/** Runs before the warm-up existed have no such setting: their first rate carried the start-up costs. */
function warmupText(s: BenchReportData['settings']): string {
  if (!s.warmupSeconds) return 'no warm-up (the first rate carries JIT start-up costs), ';
  return `an unmeasured warm-up of ${s.warmupSeconds} s at ${s.warmupRate}/s before the idle measurement and the sweep, `;
}
