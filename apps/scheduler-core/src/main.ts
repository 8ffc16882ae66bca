import 'reflect-metadata';
import { connectAppInfrastructure, startNestApp } from '@app/common/app';
import { readCommonConfig, readWholeNumber, runApp } from '@app/common/config';
import { ALL_TOPICS, CONSUMER_GROUPS, TOPICS } from '@app/common/contracts';
import { KafkaConsumerServer } from '@app/common/messaging';
import { OutboxBacklogMonitor, OutboxPublisher } from '@app/common/outbox';
import { startTracing } from '@app/common/tracing';
import { NestFactory } from '@nestjs/core';
import { SCHEDULER_CORE_MIGRATIONS } from './migrations';
import { SchedulerCoreModule } from './scheduler-core.module';
import { SCHEDULER_CORE_SCHEMA } from './scheduler-core.schema';
import { DEFAULT_TIMER_LEAD_MS, MAX_TIMER_LEAD_MS } from './timers/timer-lead';
import { TimerPoller } from './timers/timer-poller';

runApp('scheduler-core', async () => {
  const tracing = startTracing('scheduler-core');
  const config = readCommonConfig(process.env, 3001);
  const timerLeadMs = readWholeNumber(process.env, 'SCHEDULER_TIMER_LEAD_MS', DEFAULT_TIMER_LEAD_MS, 0, MAX_TIMER_LEAD_MS);
  const { log, dataSource, kafka, namespace } = await connectAppInfrastructure('scheduler-core', config, {
    schema: SCHEDULER_CORE_SCHEMA,
    migrations: SCHEDULER_CORE_MIGRATIONS,
    genericPlans: true,
  });
  const consumer = new KafkaConsumerServer({
    kafka,
    log,
    namespace,
    groupId: CONSUMER_GROUPS.schedulerCore,
    topics: [TOPICS.commands],
    topicsToCreate: ALL_TOPICS,
    partitions: config.kafkaPartitions,
  });
  const publisher = new OutboxPublisher({
    databaseUrl: config.databaseUrl,
    schema: SCHEDULER_CORE_SCHEMA,
    brokers: config.kafkaBrokers,
    clientId: 'scheduler-core',
    log,
    namespace,
  });
  const backlog = new OutboxBacklogMonitor({ dataSource, schema: SCHEDULER_CORE_SCHEMA, log });
  const timers = new TimerPoller(dataSource, log, { leadMs: timerLeadMs });
  const app = await NestFactory.create(
    SchedulerCoreModule.register({ dataSource, consumer, timerLeadMs, logLevel: config.logLevel }),
    {
      bufferLogs: true,
    },
  );
  await startNestApp({
    app,
    port: config.port,
    consumer,
    onShutdown: [
      () => timers.stop(),
      () => backlog.stop(),
      () => publisher.stop(),
      () => dataSource.destroy(),
      () => tracing.shutdown(),
    ],
  });
  await publisher.start();
  backlog.start();
  timers.start();
});
