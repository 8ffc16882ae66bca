import { DataSource } from 'typeorm';

/**
 * Creates the app's schema and runs its pending migrations.
 * Needs two pooled connections: one holds the lock, TypeORM runs the migrations on another. An advisory lock keyed by the schema
 * lets replicas (or the migration Job) start together without running a migration twice.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrations:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrations:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}
