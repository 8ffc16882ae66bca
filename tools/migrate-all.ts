import { connectDatabase, createDataSource, migrateSchema } from '@app/common/database';
import { APP_SCHEMAS } from './app-schemas';

/** Runs every app's pending migrations; returns what ran, per app. */
export async function migrateAll(databaseUrl: string): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const { app, schema, migrations } of APP_SCHEMAS) {
    const dataSource = await connectDatabase(
      createDataSource({
        url: databaseUrl,
        schema,
        migrations: [...migrations],
        applicationName: `migrate:${app}`,
        poolSize: 2,
      }),
      databaseUrl,
    );
    try {
      applied[app] = await migrateSchema(dataSource, schema);
    } finally {
      await dataSource.destroy();
    }
  }
  return applied;
}
