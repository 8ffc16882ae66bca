import 'reflect-metadata';
import { baseLogger, startNestApp } from '@app/common/app';
import { readCommonConfig, runApp } from '@app/common/config';
import { ALL_TOPICS, CONSUMER_GROUPS, TOPICS } from '@app/common/contracts';
import { connectDatabase, createDataSource, migrateSchema } from '@app/common/database';
import { assertBrokersReachable, createKafka, KafkaConsumerServer, TopicNamespace } from '@app/common/messaging';
import { OutboxPublisher } from '@app/common/outbox';
import { NestFactory } from '@nestjs/core';
import { SCHEDULER_CORE_MIGRATIONS } from './migrations';
import { SchedulerCoreModule } from './scheduler-core.module';
import { SCHEDULER_CORE_SCHEMA } from './scheduler-core.schema';
import { TimerPoller } from './timers/timer-poller';

runApp('scheduler-core', async () => {
  const config = readCommonConfig(process.env, 3001);
  const log = baseLogger('scheduler-core', config.logLevel);
  const dataSource = await connectDatabase(
    createDataSource({ url: config.databaseUrl, schema: SCHEDULER_CORE_SCHEMA, migrations: SCHEDULER_CORE_MIGRATIONS, applicationName: 'scheduler-core' }),
    config.databaseUrl,
  );
  if (config.migrationsRun) await migrateSchema(dataSource, SCHEDULER_CORE_SCHEMA);
  await assertBrokersReachable(config.kafkaBrokers);
  const namespace = new TopicNamespace(config.kafkaTopicPrefix);
  const kafka = createKafka('scheduler-core', config.kafkaBrokers, log);
  const consumer = new KafkaConsumerServer({
    kafka, log, groupId: CONSUMER_GROUPS.schedulerCore, topics: [TOPICS.commands], topicsToCreate: ALL_TOPICS, partitions: config.kafkaPartitions, namespace,
  });
  const publisher = new OutboxPublisher({ databaseUrl: config.databaseUrl, schema: SCHEDULER_CORE_SCHEMA, kafka, log, namespace });
  const timers = new TimerPoller(dataSource, log);
  const app = await NestFactory.create(SchedulerCoreModule.register({ dataSource, consumer, logLevel: config.logLevel }), { bufferLogs: true });
  await startNestApp({
    app, port: config.port, consumer,
    onShutdown: [() => timers.stop(), () => publisher.stop(), () => dataSource.destroy()],
  });
  await publisher.start();
  timers.start();
});
