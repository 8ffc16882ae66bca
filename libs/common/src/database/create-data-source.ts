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
  /**
   * Plan every prepared statement once per session (`plan_cache_mode=force_generic_plan`). For a
   * pool that runs only the app's own batch statements, never an ad hoc query whose best plan
   * depends on its values (a list query with filters).
   */
  readonly genericPlans?: boolean;
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
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      options: sessionOptions(options.genericPlans ?? false),
    },
  });
}

/**
 * Every transaction here is written for READ COMMITTED; fixing it per session spares a SET
 * TRANSACTION round trip per transaction. Generic plans: Postgres's default (`auto`) kept
 * re-planning the batch statements on every execution, since their custom plans always looked
 * cheaper than a generic one; planning was a third of their cost (pg_stat_statements, 200 calls/s).
 */
function sessionOptions(genericPlans: boolean): string {
  const isolation = '-c default_transaction_isolation=read\\ committed';
  return genericPlans ? `${isolation} ${GENERIC_PLANS}` : isolation;
}

export const GENERIC_PLANS = '-c plan_cache_mode=force_generic_plan';
