import { Kafka } from '../messaging/kafkajs';
import { Logger } from 'pino';
import { DataSource, MixedList } from 'typeorm';
import { CommonConfig } from '../config/common-config';
import { connectDatabase } from '../database/connect-database';
import { createDataSource, MigrationClass } from '../database/create-data-source';
import { migrateSchema } from '../database/migrate-schema';
import { assertBrokersReachable } from '../messaging/assert-brokers-reachable';
import { createKafka } from '../messaging/kafka-client';
import { TopicNamespace } from '../messaging/topic-namespace';
import { signalOutboxCommits } from '../outbox/outbox-commit-signal';
import { baseLogger } from './base-logger';

export interface AppInfrastructure {
  readonly log: Logger;
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly namespace: TopicNamespace;
}

export interface AppStorage {
  readonly schema: string;
  readonly migrations: MixedList<MigrationClass>;
  readonly poolSize?: number;
  /** The pool runs only the app's own statements (see `DataSourceOptions.genericPlans`). */
  readonly genericPlans?: boolean;
}

/**
 * What every app needs before Nest starts, in the order that gives the clearest failure:
 * the database (and its migrations, unless a Job runs them), then the brokers.
 */
export async function connectAppInfrastructure(
  app: string,
  config: CommonConfig,
  storage: AppStorage,
): Promise<AppInfrastructure> {
  const log = baseLogger(app, config.logLevel);
  const dataSource = await connectDatabase(
    createDataSource({
      url: config.databaseUrl,
      schema: storage.schema,
      migrations: storage.migrations,
      applicationName: app,
      poolSize: storage.poolSize,
      genericPlans: storage.genericPlans,
    }),
    config.databaseUrl,
  );
  signalOutboxCommits(dataSource);
  if (config.migrationsRun) await migrateSchema(dataSource, storage.schema);
  await assertBrokersReachable(config.kafkaBrokers);
  return {
    log,
    dataSource,
    kafka: createKafka(app, config.kafkaBrokers, log),
    namespace: new TopicNamespace(config.kafkaTopicPrefix),
  };
}
