import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../../tools/infra/cache-dir';
import { freePort } from '../../../tools/infra/free-port';
import { randomClusterId } from '../../../tools/infra/local-kafka';
import { waitForPort } from '../../../tools/infra/wait-for-port';

const KAFKA_VERSION = '3.9.1';

/** A single-node KRaft Kafka the fault suite owns: killed or stopped, it comes back on the same port with the same log dir. */
export interface RestartableKafka {
  readonly address: string;
  /** SIGKILL (a crash) or SIGTERM (a clean shutdown); the log dir stays. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startRestartableKafka(log: (line: string) => void = () => undefined): Promise<RestartableKafka> {
  const lib = cacheDir(`kafka-${KAFKA_VERSION}`, 'lib');
  if (!existsSync(lib) || !readdirSync(lib).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
    throw new Error(`Kafka jars missing in ${lib}: run npm test or npm run stack once to fetch them`);
  }
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'scs-faults-kafka-'));
  const config = join(dir, 'server.properties');
  writeFileSync(config, serverProperties(port, controllerPort, join(dir, 'data')));
  writeFileSync(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[kafka] %p %m%n\n',
  );
  const java = (main: string, args: string[]) => [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    `${lib}/*`,
    main,
    ...args,
  ];
  // One id in 64 starts with '-': as a separate argument the tool would read it as an option.
  execFileSync('java', java('kafka.tools.StorageTool', ['format', `--cluster-id=${randomClusterId()}`, '-c', config]), {
    stdio: 'ignore',
  });

  let broker: ChildProcess | undefined;
  const start = async () => {
    if (broker && broker.exitCode === null && broker.signalCode === null) return;
    const child = spawn('java', java('kafka.Kafka', [config]), { stdio: ['ignore', 'ignore', 'pipe'] });
    broker = child;
    child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`Kafka exited with ${code}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port, 90_000), exited]);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const child = broker;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  };
  await start();
  return {
    address: `127.0.0.1:${port}`,
    stop,
    start,
    destroy: async () => {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${logDir}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    // A killed broker process keeps what it wrote in the OS page cache, so lazy flushing loses nothing here.
    'log.flush.interval.messages=100000',
    '',
  ].join('\n');
}
