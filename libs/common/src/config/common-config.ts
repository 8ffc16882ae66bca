import {
  readBoolean,
  readTopicPrefix,
  readDatabaseUrl,
  readKafkaBrokers,
  readLogLevel,
  readPositiveInt,
  LogLevel,
} from './env-readers';

type Env = Readonly<Record<string, string | undefined>>;

/** The settings every app shares (DESIGN.md §6). */
export interface CommonConfig {
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaPartitions: number;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly migrationsRun: boolean;
  /** Prefix for every topic and consumer group; empty unless clusters are shared (tests, several environments). */
  readonly kafkaTopicPrefix: string;
}

export function readCommonConfig(env: Env, defaultPort: number): CommonConfig {
  return {
    databaseUrl: readDatabaseUrl(env),
    kafkaBrokers: readKafkaBrokers(env),
    kafkaPartitions: readPositiveInt(env, 'KAFKA_PARTITIONS', 6, 1000),
    port: readPositiveInt(env, 'PORT', defaultPort, 65535),
    logLevel: readLogLevel(env),
    migrationsRun: readBoolean(env, 'MIGRATIONS_RUN', true),
    kafkaTopicPrefix: readTopicPrefix(env),
  };
}
