import { InfrastructureError } from './infrastructure-error';
import { startLocalKafka } from './local-kafka';
import { RunningService } from './running-service';
import { waitForPort } from './wait-for-port';

export type BrokerKind = 'given' | 'testcontainers' | 'local-kafka';

/** KAFKA_BROKERS when given, else Redpanda on Testcontainers when asked for and Docker runs, else a local Kafka. */
export async function startBroker(kind: BrokerKind, log: (line: string) => void = () => undefined): Promise<RunningService> {
  if (kind === 'given') {
    const address = process.env.KAFKA_BROKERS ?? '';
    await expectOneAnswers(address);
    return { address, description: `broker from KAFKA_BROKERS (${address})`, stop: async () => undefined };
  }
  if (kind === 'testcontainers') return startRedpandaContainer();
  return startLocalKafka(log);
}

/** kafkajs only needs one broker to bootstrap from; none answering is a start failure, not a retry loop. */
async function expectOneAnswers(brokers: string): Promise<void> {
  const addresses = brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const answers = await Promise.all(
    addresses.map(async (address) => {
      const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
      return waitForPort(port, 5_000, host).then(
        () => true,
        () => false,
      );
    }),
  );
  if (!answers.includes(true)) {
    throw new InfrastructureError(
      `no broker in KAFKA_BROKERS (${brokers || 'empty'}) answers`,
      'Start one, fix KAFKA_BROKERS, or unset it to use a local Kafka',
    );
  }
}

async function startRedpandaContainer(): Promise<RunningService> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('docker.redpanda.com/redpandadata/redpanda:v24.2.7')
    .withExposedPorts({ container: 9092, host: 19092 })
    .withCommand([
      'redpanda',
      'start',
      '--mode',
      'dev-container',
      '--smp',
      '1',
      '--overprovisioned',
      '--kafka-addr',
      'PLAINTEXT://0.0.0.0:9092',
      '--advertise-kafka-addr',
      'PLAINTEXT://127.0.0.1:19092',
      '--set',
      'redpanda.auto_create_topics_enabled=false',
    ])
    .withWaitStrategy(Wait.forLogMessage(/Successfully started Redpanda/))
    .start();
  return {
    address: '127.0.0.1:19092',
    description: 'Redpanda (Testcontainers)',
    stop: async () => {
      await container.stop();
    },
  };
}
