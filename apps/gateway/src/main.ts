import 'reflect-metadata';
import { connectAppInfrastructure, startNestApp } from '@app/common/app';
import { runApp } from '@app/common/config';
import { ALL_TOPICS } from '@app/common/contracts';
import { ensureTopics } from '@app/common/messaging';
import { OutboxBacklogMonitor, OutboxPublisher } from '@app/common/outbox';
import { TargetSealer } from '@app/common/secrets';
import { startTracing } from '@app/common/tracing';
import { createGatewayApp } from './create-gateway-app';
import { readGatewayConfig } from './gateway.config';
import { GATEWAY_SCHEMA } from './gateway.schema';
import { GATEWAY_MIGRATIONS } from './migrations';

runApp('gateway', async () => {
  const tracing = startTracing('gateway');
  const config = readGatewayConfig(process.env);
  const { log, dataSource, kafka, namespace } = await connectAppInfrastructure('gateway', config, {
    schema: GATEWAY_SCHEMA,
    migrations: GATEWAY_MIGRATIONS,
    poolSize: 20,
  });
  await ensureTopics(
    kafka,
    ALL_TOPICS.map((t) => namespace.physical(t)),
    config.kafkaPartitions,
  );
  const publisher = new OutboxPublisher({
    databaseUrl: config.databaseUrl,
    schema: GATEWAY_SCHEMA,
    brokers: config.kafkaBrokers,
    clientId: 'gateway',
    log,
    namespace,
  });
  const backlog = new OutboxBacklogMonitor({ dataSource, schema: GATEWAY_SCHEMA, log });
  const sealer = new TargetSealer(config.encryptionKey);
  log.info({ sealingKeyId: sealer.sealingKeyId }, 'target keys loaded');
  const app = await createGatewayApp(
    { dataSource, apiKeys: config.apiKeys, sealer, logLevel: config.logLevel },
    config.bodyLimitBytes,
  );
  await startNestApp({
    app,
    port: config.port,
    onShutdown: [() => backlog.stop(), () => publisher.stop(), () => dataSource.destroy(), () => tracing.shutdown()],
  });
  await publisher.start();
  backlog.start();
});
