export const PHASES = ['sweep', 'slow', 'timers', 'lateness', 'peers'] as const;
export type Phase = (typeof PHASES)[number];
/** Which Node runs the bench, and with it the apps and the peers' workers: the image's release or this host's. */
export type BenchNode = 'image' | 'host';

/** Everything a run can be told through the environment; written into the JSON beside the figures. */
export interface BenchSettings {
  readonly quick: boolean;
  readonly phases: readonly Phase[];
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly drainSeconds: number;
  readonly idleSeconds: number;
  readonly settleSeconds: number;
  /** An unmeasured load window before the idle measurement and the sweep: JIT compilers (Kafka's JVM, V8) do their first-minute work there. */
  readonly warmupSeconds: number;
  readonly warmupRate: number;
  readonly httpConnections: number;
  readonly partitions: number;
  readonly logLevel: string;
  readonly slowCalls: number;
  readonly slowDelayMs: number;
  readonly timerCalls: number;
  /** The least lead; a pilot burst may call for more. */
  readonly timerLeadSeconds: number;
  readonly latenessScheduledRate: number;
  readonly latenessImmediateRate: number;
  readonly latenessSeconds: number;
  readonly latenessLeadMs: number;
  readonly peerRates: readonly number[];
  readonly peerSeconds: number;
  readonly peerConcurrency: number;
  readonly redisUrl: string;
  readonly allowNonDurablePostgres: boolean;
  readonly node: BenchNode;
}

/**
 * Defaults are the full report (§10 of the design); `BENCH_QUICK=1` is a short trial of every
 * phase at low rates. Any single setting can still be given on top of either.
 */
export function readBenchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const num = (name: string, full: number, trial: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return quick ? trial : full;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
    return n;
  };
  const list = (name: string, full: number[], trial: number[]) => {
    const raw = env[name];
    if (!raw) return quick ? trial : full;
    const values = raw.split(',').map((v) => Number(v.trim()));
    if (values.some((v) => !Number.isFinite(v) || v <= 0))
      throw new Error(`${name} must be a comma list of positive numbers, got "${raw}"`);
    return values;
  };
  const rates = list('BENCH_RATES', [50, 100, 200, 500, 1000], [20, 40]);
  const seconds = num('BENCH_SECONDS', 30, 10);
  return {
    quick,
    phases: readPhases(env.BENCH_PHASES),
    rates,
    seconds,
    drainSeconds: num('BENCH_DRAIN_SECONDS', 60, 20),
    idleSeconds: num('BENCH_IDLE_SECONDS', 10, 3),
    settleSeconds: num('BENCH_SETTLE_SECONDS', 5, 2),
    warmupSeconds: num('BENCH_WARMUP_SECONDS', 60, 5),
    warmupRate: num('BENCH_WARMUP_RATE', 100, 20),
    httpConnections: num('BENCH_HTTP_CONNECTIONS', 256, 64),
    partitions: num('KAFKA_PARTITIONS', 6, 6),
    logLevel: env.LOG_LEVEL ?? 'info',
    slowCalls: num('BENCH_SLOW_CALLS', 300, 30),
    slowDelayMs: num('BENCH_SLOW_DELAY_MS', 2_000, 2_000),
    timerCalls: num('BENCH_TIMER_CALLS', 5_000, 200),
    timerLeadSeconds: num('BENCH_TIMER_LEAD_SECONDS', 30, 20),
    latenessScheduledRate: num('BENCH_LATENESS_SCHEDULED_RATE', 100, 10),
    latenessImmediateRate: num('BENCH_LATENESS_IMMEDIATE_RATE', 200, 20),
    latenessSeconds: num('BENCH_LATENESS_SECONDS', 30, 10),
    latenessLeadMs: num('BENCH_LATENESS_LEAD_MS', 5_000, 5_000),
    peerRates: list('BENCH_PEER_RATES', rates, rates),
    peerSeconds: num('BENCH_PEER_SECONDS', seconds, seconds),
    peerConcurrency: num('BENCH_PEER_CONCURRENCY', 100, 100),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    allowNonDurablePostgres: env.BENCH_ALLOW_NON_DURABLE === '1',
    node: readNode(env.BENCH_NODE),
  };
}

function readNode(raw: string | undefined): BenchNode {
  if (!raw) return 'image';
  if (raw === 'image' || raw === 'host') return raw;
  throw new Error(`BENCH_NODE must be image (the Node release the image runs) or host (this one), got "${raw}"`);
}

function readPhases(raw: string | undefined): Phase[] {
  if (!raw) return [...PHASES];
  const asked = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = asked.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new Error(`BENCH_PHASES: unknown phase(s) ${unknown.join(', ')}; known: ${PHASES.join(', ')}`);
  return PHASES.filter((p) => asked.includes(p));
}
