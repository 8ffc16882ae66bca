import 'reflect-metadata';
import { baseLogger, startNestApp } from '@app/common/app';
import { runApp } from '@app/common/config';
import { ALL_TOPICS } from '@app/common/contracts';
import { connectDatabase, createDataSource, migrateSchema } from '@app/common/database';
import { assertBrokersReachable, createKafka, ensureTopics, TopicNamespace } from '@app/common/messaging';
import { OutboxPublisher } from '@app/common/outbox';
import { TargetSealer } from '@app/common/secrets';
import { createGatewayApp } from './create-gateway-app';
import { readGatewayConfig } from './gateway.config';
import { GATEWAY_SCHEMA } from './gateway.schema';
import { GATEWAY_MIGRATIONS } from './migrations';

runApp('gateway', async () => {
  const config = readGatewayConfig(process.env);
  const log = baseLogger('gateway', config.logLevel);
  const dataSource = await connectDatabase(
    createDataSource({ url: config.databaseUrl, schema: GATEWAY_SCHEMA, migrations: GATEWAY_MIGRATIONS, applicationName: 'gateway', poolSize: 20 }),
    config.databaseUrl,
  );
  if (config.migrationsRun) await migrateSchema(dataSource, GATEWAY_SCHEMA);
  await assertBrokersReachable(config.kafkaBrokers);
  const namespace = new TopicNamespace(config.kafkaTopicPrefix);
  const kafka = createKafka('gateway', config.kafkaBrokers, log);
  await ensureTopics(kafka, ALL_TOPICS.map((t) => namespace.physical(t)), config.kafkaPartitions);
  const publisher = new OutboxPublisher({ databaseUrl: config.databaseUrl, schema: GATEWAY_SCHEMA, kafka, log, namespace });
  const app = await createGatewayApp(
    { dataSource, apiKeys: config.apiKeys, sealer: new TargetSealer(config.encryptionKey), logLevel: config.logLevel },
    config.bodyLimitBytes,
  );
  await startNestApp({ app, port: config.port, onShutdown: [() => publisher.stop(), () => dataSource.destroy()] });
  await publisher.start();
});
