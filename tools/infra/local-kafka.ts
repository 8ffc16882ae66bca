import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { waitForCoordinators } from './coordinators';
import { InfrastructureError, oneLine } from './infrastructure-error';
import { KAFKA_VERSION, kafkaJars } from './kafka-jars';
import { howItEnds, spawnOwned, stopOwned } from './owned-process';
import { RunningService } from './running-service';
import { makeScratchDir } from './scratch-dir';
import { waitForPort } from './wait-for-port';

const execFileAsync = promisify(execFile);
const OFFSETS_PARTITIONS = 6;
const WHAT_TO_DO = 'Check that Java 17 runs (java -version), or set KAFKA_BROKERS to a running broker';

/** A single-node Apache Kafka in KRaft mode, run from jars that Maven fetches once into the cache. */
export async function startLocalKafka(log: (line: string) => void = () => undefined): Promise<RunningService> {
  const lib = kafkaJars(log);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = makeScratchDir(tmpdir(), 'scs-kafka-');
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
  try {
    // Not execFileSync: Postgres starts meanwhile, and its timers must not fire late.
    await execFileAsync(
      'java',
      java('kafka.tools.StorageTool', ['format', `--cluster-id=${randomClusterId()}`, '-c', config]),
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const { code, stderr } = error as { code?: number | string; stderr?: string };
    const detail =
      code === 'ENOENT' ? 'java is not on the PATH' : oneLine(stderr?.trim().split('\n').pop() || (error as Error).message);
    throw new InfrastructureError(`local Kafka could not format its storage (${detail})`, WHAT_TO_DO, { cause: error });
  }

  const broker = spawnOwned('java', java('kafka.Kafka', [config]), {
    stdio: ['ignore', 'ignore', 'pipe'],
    forcedStopSignal: 'SIGKILL',
    scratchDir: dir,
  });
  let lastLine = '';
  broker.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString().trimEnd();
    lastLine = text.split('\n').pop() ?? lastLine;
    log(text);
  });
  const stop = async () => {
    await stopOwned(broker, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  const ended = howItEnds(broker).then((how) => {
    throw new InfrastructureError(`local Kafka ${how} before it listened (${oneLine(lastLine) || 'no output'})`, WHAT_TO_DO);
  });
  try {
    await Promise.race([
      waitForPort(port, 60_000).then(() => waitForCoordinators(`127.0.0.1:${port}`, OFFSETS_PARTITIONS)),
      ended,
    ]);
  } catch (error) {
    await stop();
    throw error instanceof InfrastructureError
      ? error
      : new InfrastructureError(`local Kafka: ${(error as Error).message}`, WHAT_TO_DO, { cause: error });
  }
  return { address: `127.0.0.1:${port}`, description: `Apache Kafka ${KAFKA_VERSION} (KRaft) on 127.0.0.1:${port}`, stop };
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
    `offsets.topic.num.partitions=${OFFSETS_PARTITIONS}`,
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    'log.flush.interval.messages=100000',
    '',
  ].join('\n');
}

/** KRaft wants a base64url-encoded 16-byte UUID. It may start with '-': pass it as `--cluster-id=<id>`, never as a separate argument. */
export function randomClusterId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
}
