import 'reflect-metadata';
import { connectAppInfrastructure, startNestApp } from '@app/common/app';
import { readCommonConfig, runApp } from '@app/common/config';
import { ALL_TOPICS, CONSUMER_GROUPS, TOPICS } from '@app/common/contracts';
import { KafkaConsumerServer } from '@app/common/messaging';
import { startTracing } from '@app/common/tracing';
import { NestFactory } from '@nestjs/core';
import { PROJECTOR_MIGRATIONS } from './migrations';
import { ProjectorModule } from './projector.module';
import { PROJECTOR_SCHEMA } from './projector.schema';

/**
 * The read model is off the execution path: the projector lets the broker gather events for up to
 * 50 ms (or 16 KiB) per fetch, so it writes views in larger batches (ADR-0013, 2026-12-06).
 */
const PROJECTOR_FETCH = { minBytes: 16 * 1024, maxWaitMs: 50 };

runApp('projector', async () => {
  const tracing = startTracing('projector');
  const config = readCommonConfig(process.env, 3003);
  const { log, dataSource, kafka, namespace } = await connectAppInfrastructure('projector', config, {
    schema: PROJECTOR_SCHEMA,
    migrations: PROJECTOR_MIGRATIONS,
    genericPlans: true,
  });
  const consumer = new KafkaConsumerServer({
    kafka,
    log,
    namespace,
    groupId: CONSUMER_GROUPS.projector,
    topics: [TOPICS.events],
    topicsToCreate: ALL_TOPICS,
    partitions: config.kafkaPartitions,
    fetch: PROJECTOR_FETCH,
  });
  const app = await NestFactory.create(ProjectorModule.register({ dataSource, consumer, logLevel: config.logLevel }), {
    bufferLogs: true,
  });
  await startNestApp({
    app,
    port: config.port,
    consumer,
    onShutdown: [() => dataSource.destroy(), () => tracing.shutdown()],
  });
});
