import 'reflect-metadata';
import { baseLogger, startNestApp } from '@app/common/app';
import { readCommonConfig, runApp } from '@app/common/config';
import { ALL_TOPICS, CONSUMER_GROUPS, TOPICS } from '@app/common/contracts';
import { connectDatabase, createDataSource, migrateSchema } from '@app/common/database';
import { assertBrokersReachable, createKafka, KafkaConsumerServer, TopicNamespace } from '@app/common/messaging';
import { NestFactory } from '@nestjs/core';
import { PROJECTOR_MIGRATIONS } from './migrations';
import { ProjectorModule } from './projector.module';
import { PROJECTOR_SCHEMA } from './projector.schema';

runApp('projector', async () => {
  const config = readCommonConfig(process.env, 3003);
  const log = baseLogger('projector', config.logLevel);
  const dataSource = await connectDatabase(
    createDataSource({ url: config.databaseUrl, schema: PROJECTOR_SCHEMA, migrations: PROJECTOR_MIGRATIONS, applicationName: 'projector' }),
    config.databaseUrl,
  );
  if (config.migrationsRun) await migrateSchema(dataSource, PROJECTOR_SCHEMA);
  await assertBrokersReachable(config.kafkaBrokers);
  const namespace = new TopicNamespace(config.kafkaTopicPrefix);
  const kafka = createKafka('projector', config.kafkaBrokers, log);
  const consumer = new KafkaConsumerServer({
    kafka, log, groupId: CONSUMER_GROUPS.projector, topics: [TOPICS.events], topicsToCreate: ALL_TOPICS, partitions: config.kafkaPartitions, namespace,
  });
  const app = await NestFactory.create(ProjectorModule.register({ dataSource, consumer, logLevel: config.logLevel }), { bufferLogs: true });
  await startNestApp({ app, port: config.port, consumer, onShutdown: [() => dataSource.destroy()] });
});
