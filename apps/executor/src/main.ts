import 'reflect-metadata';
import { connectAppInfrastructure, startNestApp } from '@app/common/app';
import { readBoolean, readCommonConfig, readPositiveInt, readSealingKeys, runApp } from '@app/common/config';
import { ALL_TOPICS, CONSUMER_GROUPS, TOPICS } from '@app/common/contracts';
import { KafkaConsumerServer } from '@app/common/messaging';
import { inFlightLimit } from '@app/common/observability';
import { OutboxBacklogMonitor, OutboxPublisher } from '@app/common/outbox';
import { TargetSealer } from '@app/common/secrets';
import { startTracing } from '@app/common/tracing';
import { NestFactory } from '@nestjs/core';
import { EXECUTOR_SCHEMA } from './executor.schema';
import { ExecutorModule } from './executor.module';
import { HttpCallExecutor } from './http/http-call-executor';
import { EXECUTOR_MIGRATIONS } from './migrations';
import { defaultMaxPerKey } from './execution/fair-concurrency-limit';

/** Messages the consumer may hold unfinished per execution slot: running, or queued for a slot. */
const QUEUED_PER_SLOT = 4;

runApp('executor', async () => {
  const tracing = startTracing('executor');
  const config = readCommonConfig(process.env, 3002);
  const keys = readSealingKeys(process.env);
  const sealer = new TargetSealer(keys.current, keys.previous);
  const maxInFlight = readPositiveInt(process.env, 'EXECUTOR_MAX_IN_FLIGHT', 100, 10_000);
  const maxInFlightPerOrigin = readPositiveInt(
    process.env,
    'EXECUTOR_MAX_IN_FLIGHT_PER_ORIGIN',
    defaultMaxPerKey(maxInFlight),
    maxInFlight,
  );
  const http = new HttpCallExecutor({
    allowPrivateTargets: readBoolean(process.env, 'EXECUTOR_ALLOW_PRIVATE_TARGETS', false),
  });
  const { log, dataSource, kafka, namespace } = await connectAppInfrastructure('executor', config, {
    schema: EXECUTOR_SCHEMA,
    migrations: EXECUTOR_MIGRATIONS,
    poolSize: 10,
    genericPlans: true,
  });
  log.info({ openingKeyIds: sealer.openingKeyIds }, 'target keys loaded');
  const consumer = new KafkaConsumerServer({
    kafka,
    log,
    namespace,
    groupId: CONSUMER_GROUPS.executor,
    topics: [TOPICS.executions],
    topicsToCreate: ALL_TOPICS,
    partitions: config.kafkaPartitions,
    // Calls run beside the consumer loop, which keeps heartbeating. The consumer holds up to QUEUED_PER_SLOT
    // messages per slot, so a call to a free origin can pass calls waiting for a busy one; a partition is
    // held only while this process holds that many.
    maxInFlight: maxInFlight * QUEUED_PER_SLOT,
    maxBatchSize: Math.min(500, maxInFlight),
  });
  inFlightLimit.set({ group: namespace.physical(CONSUMER_GROUPS.executor) }, maxInFlight);
  const publisher = new OutboxPublisher({
    databaseUrl: config.databaseUrl,
    schema: EXECUTOR_SCHEMA,
    brokers: config.kafkaBrokers,
    clientId: 'executor',
    log,
    namespace,
  });
  const backlog = new OutboxBacklogMonitor({ dataSource, schema: EXECUTOR_SCHEMA, log });
  const app = await NestFactory.create(
    ExecutorModule.register({
      dataSource,
      consumer,
      http,
      sealer,
      maxInFlight,
      maxInFlightPerOrigin,
      logLevel: config.logLevel,
    }),
    { bufferLogs: true },
  );
  await startNestApp({
    app,
    port: config.port,
    consumer,
    onShutdown: [
      () => backlog.stop(),
      () => publisher.stop(),
      () => http.close(),
      () => dataSource.destroy(),
      () => tracing.shutdown(),
    ],
  });
  await publisher.start();
  backlog.start();
});
