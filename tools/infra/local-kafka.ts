import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './project-root';
import { cacheDir } from './cache-dir';
import { freePort } from './free-port';
import { RunningService } from './running-service';
import { waitForPort } from './wait-for-port';

const KAFKA_VERSION = '3.9.1';
const POM = join(projectRoot(), 'tools/infra/kafka/pom.xml');

/** A single-node Apache Kafka in KRaft mode, run from jars that Maven fetches once into the cache. */
export async function startLocalKafka(log: (line: string) => void = () => undefined): Promise<RunningService> {
  const lib = await kafkaJars(log);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'scs-kafka-'));
  const config = join(dir, 'server.properties');
  writeFileSync(config, serverProperties(port, controllerPort, join(dir, 'data')));
  writeFileSync(join(dir, 'log4j.properties'), 'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[kafka] %p %m%n\n');
  const java = (main: string, args: string[]) => [
    '-Xms256m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp', `${lib}/*`, main, ...args,
  ];
  execFileSync('java', java('kafka.tools.StorageTool', ['format', '-t', randomClusterId(), '-c', config]), { stdio: 'ignore' });
  const broker: ChildProcess = spawn('java', java('kafka.Kafka', [config]), { stdio: ['ignore', 'ignore', 'pipe'] });
  broker.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  const exited = new Promise<never>((_, reject) => broker.once('exit', (code) => reject(new Error(`Kafka exited with ${code}`))));
  await Promise.race([waitForPort(port, 60_000), exited]);
  return {
    address: `127.0.0.1:${port}`,
    description: `Apache Kafka ${KAFKA_VERSION} (KRaft) on 127.0.0.1:${port}`,
    stop: async () => {
      if (broker.exitCode === null) {
        const gone = new Promise((r) => broker.once('exit', r));
        broker.kill('SIGTERM');
        const timer = setTimeout(() => broker.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function kafkaJars(log: (line: string) => void): Promise<string> {
  const lib = cacheDir(`kafka-${KAFKA_VERSION}`, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) return lib;
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars with Maven into ${lib}`);
  mkdirSync(lib, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'], {
    stdio: 'inherit',
  });
  return lib;
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
    'log.flush.interval.messages=100000',
    '',
  ].join('\n');
}

function randomClusterId(): string {
  // KRaft wants a base64url-encoded 16-byte UUID. One that starts with '-' would be read by the
  // StorageTool as an option (1 start in 64 failed that way), so draw again.
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
