import { connect } from 'node:net';

/**
 * Fails fast, with one line naming KAFKA_BROKERS, when no broker accepts a TCP connection;
 * kafkajs alone would retry for tens of seconds and log a screenful first.
 */
export async function assertBrokersReachable(brokers: readonly string[], attempts = 3): Promise<void> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const results = await Promise.all(brokers.map(canConnect));
    if (results.some((ok) => ok)) return;
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`KAFKA_BROKERS: no broker answers at ${brokers.join(',')}`);
}

function canConnect(broker: string): Promise<boolean> {
  const at = broker.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: broker.slice(0, at), port: Number(broker.slice(at + 1)), timeout: 3_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
