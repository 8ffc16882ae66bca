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
