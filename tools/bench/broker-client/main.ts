import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from '@app/common/messaging/kafkajs';
import { startLocalKafka } from '../../infra/local-kafka';
import { projectRoot } from '../../infra/project-root';
import { decodeValue } from './decode-value';
import { envelopePool } from './envelope-pool';
import { childBrokerPid, processCpuMs } from './process-cpu';
import { runChild } from './run-child';
import { ClientName, FetchSettings, RunResult, Scenario } from './scenario';
import { showSpread, spread, Spread } from './spread';
import { sleep } from './sleep';

const CLIENTS: readonly ClientName[] = ['kafkajs', 'platformatic'];
const PATTERNS = (process.env.BENCH_PATTERNS ?? 'produce,consume,idle').split(',');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PRODUCE = (process.env.BENCH_PRODUCE ?? '1:2000,50:20000,500:50000')
  .split(',')
  .map((p) => p.split(':').map(Number) as [number, number]);
const CONSUME_MESSAGES = Number(process.env.BENCH_CONSUME_MESSAGES ?? 200_000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const PARTITIONS = 6;
const IDLE_SETTINGS: readonly FetchSettings[] = [
  {
    label: 'maxWait 5000 ms (client default), minBytes 1',
    maxWaitMs: 5_000,
    minBytes: 1,
    heartbeatMs: 1_000,
    sessionTimeoutMs: 8_000,
  },
  {
    label: 'maxWait 500 ms (our consumers today), minBytes 1',
    maxWaitMs: 500,
    minBytes: 1,
    heartbeatMs: 1_000,
    sessionTimeoutMs: 8_000,
  },
];
const say = (line: string) => process.stdout.write(`[bench:broker-client] ${line}\n`);

interface Row {
  readonly pattern: string;
  readonly setting: string;
  readonly client: ClientName;
  readonly runs: readonly RunResult[];
  /** produce/consume: per 1,000 messages; idle: per second. */
  readonly clientCpu: Spread;
  readonly brokerCpu: Spread;
  readonly throughput?: Spread;
  /** Idle: heartbeats and fetch responses per second. */
  readonly heartbeatsPerS?: Spread;
  readonly fetchesPerS?: Spread;
}

/**
 * CPU per message of kafkajs and @platformatic/kafka against one local Kafka, for the patterns our
 * apps use: batched idempotent produce, a consumer group with manual commits, and an idle member.
 */
async function main(): Promise<void> {
  const broker = await startLocalKafka((line) => process.stderr.write(`${line}\n`));
  const brokerPid = childBrokerPid();
  const rows: Row[] = [];
  let baseline: Spread | undefined;
  let decodeOnly: Spread | undefined;
  try {
    say(`${broker.description}, broker pid ${brokerPid}; node ${process.version}; ${REPEATS} repeats, clients alternating`);
    const kafka = new Kafka({ clientId: 'bench-setup', brokers: [broker.address], logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: ['bench-produce', 'bench-consume', 'bench-idle'].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    });
    await admin.disconnect();
    if (PATTERNS.includes('consume')) {
      say(`filling bench-consume with ${CONSUME_MESSAGES} messages`);
      await fill(kafka, 'bench-consume', CONSUME_MESSAGES);
    }
    await warmUpBroker(kafka);
    const run = async (
      pattern: string,
      setting: string,
      scenario: (client: ClientName, rep: number) => Scenario,
      per: (r: RunResult) => number,
    ) => {
      const results = new Map<ClientName, RunResult[]>(CLIENTS.map((c) => [c, []]));
      for (let rep = 0; rep < REPEATS; rep++) {
        for (const client of rep % 2 ? [...CLIENTS].reverse() : CLIENTS) {
          const result = await runChild({ client, brokers: broker.address, brokerPid, scenario: scenario(client, rep) });
          results.get(client)!.push(result);
          say(`${pattern} ${setting} ${client} #${rep + 1}: ${JSON.stringify(result)}`);
          await sleep(1_000);
        }
      }
      for (const [client, runs] of results) {
        const row: Row = {
          pattern,
          setting,
          client,
          runs,
          clientCpu: spread(runs.map((r) => r.clientCpuMs / per(r))),
          brokerCpu: spread(runs.map((r) => r.brokerCpuMs / per(r))),
          throughput: pattern === 'idle' ? undefined : spread(runs.map((r) => r.messages / (r.wallMs / 1_000))),
          heartbeatsPerS: pattern === 'idle' ? spread(runs.map((r) => (r.heartbeats ?? 0) / (r.wallMs / 1_000))) : undefined,
          fetchesPerS: pattern === 'idle' ? spread(runs.map((r) => (r.fetches ?? 0) / (r.wallMs / 1_000))) : undefined,
        };
        rows.push(row);
        const rate = row.throughput
          ? `, ${showSpread(row.throughput, 0)} msg/s`
          : `, heartbeats/s ${showSpread(row.heartbeatsPerS!, 2)}, fetches/s ${showSpread(row.fetchesPerS!, 2)}`;
        say(
          `${pattern} ${setting} ${client}: client ${showSpread(row.clientCpu)}, broker ${showSpread(row.brokerCpu)}${rate}`,
        );
      }
    };
    const per1k = (r: RunResult) => r.messages / 1_000;
    const perSecond = (r: RunResult) => r.wallMs / 1_000;

    if (PATTERNS.includes('produce')) {
      for (const [batchSize, messages] of PRODUCE) {
        await run(
          'produce',
          `N=${batchSize}`,
          () => ({ pattern: 'produce', topic: 'bench-produce', batchSize, messages }),
          per1k,
        );
      }
    }
    if (PATTERNS.includes('consume')) {
      decodeOnly = spread(Array.from({ length: REPEATS }, () => decodeCpuMsPer1k(CONSUME_MESSAGES)));
      say(`JSON.parse alone: ${showSpread(decodeOnly)} ms/1k msgs`);
      await run(
        'consume',
        `${CONSUME_MESSAGES} msgs, ${PARTITIONS} partitions`,
        (client, rep) => ({
          pattern: 'consume',
          topic: 'bench-consume',
          groupId: `bench-consume-${client}-${rep}`,
          messages: CONSUME_MESSAGES,
        }),
        per1k,
      );
    }
    if (PATTERNS.includes('idle')) {
      baseline = await brokerAlone(brokerPid);
      say(`broker alone: ${showSpread(baseline)} ms/s`);
      for (const fetch of IDLE_SETTINGS) {
        await run(
          'idle',
          fetch.label,
          (client, rep) => ({
            pattern: 'idle',
            topic: 'bench-idle',
            groupId: `bench-idle-${client}-${fetch.maxWaitMs}-${rep}`,
            seconds: IDLE_SECONDS,
            fetch,
          }),
          perSecond,
        );
      }
    }
  } finally {
    await broker.stop();
  }
  const table = markdownTable(rows, baseline, decodeOnly);
  process.stdout.write(`\n${table}\n`);
  const outDir = join(projectRoot(), 'test-output');
  mkdirSync(outDir, { recursive: true });
  const settings = {
    patterns: PATTERNS,
    repeats: REPEATS,
    produce: PRODUCE,
    consumeMessages: CONSUME_MESSAGES,
    idleSeconds: IDLE_SECONDS,
    idleSettings: IDLE_SETTINGS,
    node: process.version,
  };
  writeFileSync(
    join(outDir, `bench-broker-client-${PATTERNS.join('-')}.json`),
    `${JSON.stringify({ settings, brokerAloneMsPerS: baseline, decodeOnlyMsPer1k: decodeOnly, rows }, null, 2)}\n`,
  );
}

/** Fills a topic outside any measurement, in large batches. */
async function fill(kafka: Kafka, topic: string, messages: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const pool = envelopePool();
  for (let sent = 0; sent < messages; sent += 1_000) {
    const count = Math.min(1_000, messages - sent);
    await producer.send({
      topic,
      acks: 1,
      messages: Array.from({ length: count }, (_, i) => pool[(sent + i) % pool.length]),
    });
  }
  await producer.disconnect();
}

/** Creates and loads what a first run would otherwise pay for: a producer id, the offsets topic, a group. */
async function warmUpBroker(kafka: Kafka): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: 'bench-produce', acks: -1, messages: [...envelopePool(10)] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'bench-warm-up', allowAutoTopicCreation: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: ['bench-idle'], fromBeginning: true });
  await consumer.run({ eachBatch: async () => undefined });
  await joined;
  await consumer.disconnect();
}

/** The broker's own CPU with no client attached, to read the idle figures against. */
async function brokerAlone(pid: number): Promise<Spread> {
  const values: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const [cpu, wall] = [processCpuMs(pid), performance.now()];
    await sleep(10_000);
    values.push((processCpuMs(pid) - cpu) / ((performance.now() - wall) / 1_000));
  }
  return spread(values);
}

/** The share of consume CPU that is our own decoding, the same whichever client delivers the bytes. */
function decodeCpuMsPer1k(messages: number): number {
  const values = envelopePool().map((m) => Buffer.from(m.value));
  const start = process.cpuUsage();
  for (let i = 0; i < messages; i++) decodeValue(values[i % values.length]);
  const cpu = process.cpuUsage(start);
  return (cpu.user + cpu.system) / 1_000 / (messages / 1_000);
}

function markdownTable(rows: readonly Row[], baseline: Spread | undefined, decodeOnly: Spread | undefined): string {
  const lines = [
    '| pattern | setting | client | client CPU | broker CPU | throughput (msg/s) or heartbeats/s, fetches/s |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const unit = r.pattern === 'idle' ? 'ms/s' : 'ms/1k msgs';
      const last = r.throughput
        ? showSpread(r.throughput, 0)
        : `${showSpread(r.heartbeatsPerS!, 2)}, ${showSpread(r.fetchesPerS!, 2)}`;
      return `| ${r.pattern} | ${r.setting} | ${r.client} | ${showSpread(r.clientCpu)} ${unit} | ${showSpread(r.brokerCpu)} ${unit} | ${last} |`;
    }),
  ];
  if (decodeOnly) lines.push('', `JSON.parse of the values alone, no client: ${showSpread(decodeOnly)} ms/1k msgs.`);
  if (baseline)
    lines.push(
      '',
      `Broker alone (no client): ${showSpread(baseline)} ms/s. Figures are median (min–max) of ${REPEATS} runs.`,
    );
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
