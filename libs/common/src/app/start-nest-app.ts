import { INestApplication } from '@nestjs/common';
import { KafkaConsumerServer } from '../messaging/kafka-consumer-server';
import { Logger } from 'nestjs-pino';

export interface StartNestAppOptions {
  readonly app: INestApplication;
  readonly port: number;
  readonly consumer?: KafkaConsumerServer;
  /** Run after the app closes, in order (outbox publisher, timers, database pool...). */
  readonly onShutdown?: ReadonlyArray<() => Promise<void>>;
}

/** Wires pino as Nest's logger, starts the consumer (if any) and HTTP, and stops it all on SIGINT/SIGTERM. */
export async function startNestApp({ app, port, consumer, onShutdown = [] }: StartNestAppOptions): Promise<void> {
  app.useLogger(app.get(Logger));
  if (consumer) {
    app.connectMicroservice({ strategy: consumer }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(port, '0.0.0.0');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(1), 15_000);
    await app.close().catch(() => undefined);
    for (const step of onShutdown) await step().catch(() => undefined);
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
