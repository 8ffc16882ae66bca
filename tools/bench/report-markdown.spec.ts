import { BenchReportData } from './bench-report-data';
import { readBenchSettings } from './bench-settings';
import { markdownTable } from './markdown-table';
import { GENERATED_END, GENERATED_START, reportMarkdown, spliceGenerated } from './report-markdown';
import { RateResult } from './rate-result';

const summary = (p50: number) => ({ count: 10, p50, p99: p50 * 2, max: p50 * 3 });
const rate = (offeredRate: number): RateResult => ({
  offeredRate,
  seconds: 10,
  offered: offeredRate * 10,
  accepted: offeredRate * 10,
  refused: {},
  submittedPerSecond: offeredRate,
  atTargetPerSecond: offeredRate,
  completedPerSecond: offeredRate,
  completedInWindow: offeredRate * 10,
  acceptLatencyMs: summary(5),
  submitToTargetMs: summary(40),
  submitToCompletedMs: summary(80),
  backlogAtWindowEnd: { notAtTarget: 1, notCompleted: 2 },
  backlogGrowthPerSecond: 0,
  backlogAfterDrain: { notAtTarget: 0, notCompleted: 0 },
  drainWaitedMs: 1200,
  duplicates: 0,
  lost: { notAtTarget: 0, notCompleted: 0 },
  cpu: {
    gateway: { cpuMs: 100, msPerCall: 1.5, idleMsPerSecond: 3, msPerCallNetOfIdle: 1.2 },
    bench: { cpuMs: 10, msPerCall: 0.1, idleMsPerSecond: 1, msPerCallNetOfIdle: 0.1 },
  },
  contextSwitchesPerCall: { gateway: 8.6, kafka: 28.8, bench: 5.7 },
  benchLoopDelayMs: summary(2),
  machine: { busyCores: 1.87, cores: 2 },
  hopLatency: [
    { hop: 'gateway outbox → broker', messages: offeredRate * 10, p50Ms: 1.2, p99Ms: 9.5 },
    { hop: 'scheduler.commands.v1 → scheduler-core', messages: offeredRate * 10, p50Ms: 3, p99Ms: null },
  ],
  sustained: true,
});

const data: BenchReportData = {
  kind: 'service-call-scheduler-bench',
  schemaVersion: 1,
  trial: true,
  startedAt: '2026-11-25T11:00:00Z',
  finishedAt: '2026-11-25T11:05:00Z',
  gitCommit: 'abc1234',
  machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, kernel: '6.1', node: 'v20', loadAverageAtStart: '1 1 1' },
  versions: { node: 'v20', postgres: '17.9' },
  postgres: { description: 'embedded', fsync: 'on', synchronousCommit: 'on' },
  broker: 'Kafka',
  settings: readBenchSettings({ BENCH_QUICK: '1' }),
  cpuMethod: '/proc',
  sweep: {
    completion: 'Succeeded',
    idleCpuMsPerSecond: { gateway: 3, bench: 1 },
    rates: [rate(20), rate(40)],
    skippedRates: [],
    highestSustainedRate: 40,
  },
  peers: [{ peer: 'bullmq', version: '5', mode: 'default', settings: '', skipped: 'no Redis' }],
  errors: [],
};

describe('reportMarkdown', () => {
  const md = reportMarkdown(data, { p99: 'p.svg', cpu: 'c.svg' });

  it('puts the machine, versions, durability and settings beside the figures and marks a trial', () => {
    expect(md).toContain('TRIAL');
    expect(md).toContain('Test CPU, 2 cores, 24 GiB');
    expect(md).toContain('`fsync=on`');
    expect(md).toContain('`KAFKA_PARTITIONS=6`');
  });

  it('has a sweep row per rate, the sustained rate, the charts and skipped peers', () => {
    expect(md).toContain('| 40 | 40 | 40 | 40 | 5 / 10 / 15 | 40 / 80 / 120 | 80 / 160 / 240 |');
    expect(md).toContain('Highest sustained rate: **40 calls/s**');
    expect(md).toContain('![p99 submit → target by offered rate](p.svg)');
    expect(md).toContain('Skipped: no Redis.');
  });

  it("opens with issue 6's floors, saying which this run did not measure", () => {
    expect(md).toContain('### Floors');
    expect(md).toContain('| 100 calls/s: submit → target p50 ≤ 25 ms, p99 ≤ 100 ms | not run | – |');
  });

  it('sums CPU per call without the load generator', () => {
    expect(md).toContain('| 1.5 (1.2) | 0.1 (0.1) | 1.5 (1.2) |');
  });

  it('gives context switches per call by process, summed without the load generator', () => {
    expect(md).toContain('| offered/s | gateway | kafka | bench | total without bench |');
    expect(md).toContain('| 40 | 8.6 | 28.8 | 5.7 | 37.4 |');
  });

  it("gives the machine's busy cores and the bench process's own event-loop delay per rate", () => {
    expect(md).toContain('| offered/s | machine busy (cores) | bench event-loop delay p50 / p99 / max (ms) |');
    expect(md).toContain('| 40 | 1.87 of 2 | 2 / 4 / 6 |');
  });

  it('shows a dash for the busy cores of a run from before that figure existed', () => {
    const { machine: _, ...older } = rate(40);
    const old = reportMarkdown({ ...data, sweep: { ...data.sweep!, rates: [older] } }, { p99: 'p.svg', cpu: 'c.svg' });
    expect(old).toContain('| 40 | – | 2 / 4 / 6 |');
  });

  it("gives a peer's switches and the bench's loop delay beside its own sweep", () => {
    const peerRate: RateResult = {
      ...rate(60),
      contextSwitchesPerCall: { worker: 4.2, postgres: 9.1, bench: 3 },
      benchLoopDelayMs: summary(7),
    };
    const peer = {
      peer: 'graphile-worker',
      version: '0.16',
      mode: 'tuned',
      settings: 'poll 10 ms',
      sweep: { ...data.sweep!, rates: [peerRate] },
    };
    const withPeer = reportMarkdown({ ...data, peers: [peer] }, { p99: 'p.svg', cpu: 'c.svg' });
    const peerSection = withPeer.slice(withPeer.indexOf('### Peer: graphile-worker'));
    expect(peerSection).toContain('| offered/s | worker | postgres | bench | total without bench |');
    expect(peerSection).toContain('| 60 | 4.2 | 9.1 | 3 | 13.3 |');
    expect(peerSection).toContain('| 60 | 1.87 of 2 | 7 / 14 / 21 |');
  });

  it("gives each hop's p50 / p99 per rate", () => {
    expect(md).toContain(
      '| offered/s | gateway outbox → broker p50 / p99 (ms) | scheduler.commands.v1 → scheduler-core p50 / p99 (ms) |',
    );
    expect(md).toContain('| 40 | 1.2 / 9.5 | 3 / – |');
  });

  it('leaves the switches and loop-delay tables out for a run from before those figures existed', () => {
    const { contextSwitchesPerCall: _, benchLoopDelayMs: __, hopLatency: ___, machine: ____, ...older } = rate(40);
    const old = reportMarkdown({ ...data, sweep: { ...data.sweep!, rates: [older] } }, { p99: 'p.svg', cpu: 'c.svg' });
    expect(old).not.toContain('Context switches per call');
    expect(old).not.toContain('event-loop delay');
    expect(old).not.toContain('machine busy');
    expect(old).not.toContain('Where a call waits');
    expect(old).toContain('| 1.5 (1.2) | 0.1 (0.1) | 1.5 (1.2) |');
  });
});

describe('spliceGenerated', () => {
  const generated = `${GENERATED_START}\nnew\n${GENERATED_END}`;

  it('inserts before the "before" heading the first time, and replaces itself later', () => {
    const first = spliceGenerated('# B\n\nintro\n\n## Before: old\n\nold figures\n', generated, '## Before:');
    expect(first).toBe(`# B\n\nintro\n\n${generated}\n\n## Before: old\n\nold figures\n`);
    const again = spliceGenerated(first, `${GENERATED_START}\nnewer\n${GENERATED_END}`, '## Before:');
    expect(again).toContain('newer');
    expect(again).not.toContain('\nnew\n');
    expect(again).toContain('old figures');
  });
});

describe('markdownTable', () => {
  it('writes dashes for missing cells and escapes pipes', () => {
    expect(markdownTable(['a', 'b'], [[null, 'x|y']])).toBe('| a | b |\n|---|---|\n| – | x\\|y |');
  });
});
