import { DataSource, MigrationInterface, MixedList } from 'typeorm';

/** A TypeORM migration class, as an app lists them. */
export type MigrationClass = new () => MigrationInterface;

export interface DataSourceOptions {
  readonly url: string;
  /** The app's own schema; its migrations table lives there too. */
  readonly schema: string;
  readonly migrations: MixedList<MigrationClass>;
  readonly poolSize?: number;
  readonly applicationName: string;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    synchronize: false,
    logging: false,
    applicationName: options.applicationName,
    // Every transaction here is written for READ COMMITTED; fixing it per session spares a SET TRANSACTION round trip per transaction.
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      options: '-c default_transaction_isolation=read\\ committed',
    },
  });
}
