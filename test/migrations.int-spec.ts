import { connectDatabase, createDataSource, migrateSchema } from '@app/common/database';
import { DataSource } from 'typeorm';
import { APP_SCHEMAS } from '../tools/app-schemas';
import { createTestDatabase } from './support/test-database';

const tablesIn = async (ds: DataSource, schema: string): Promise<string[]> =>
  (
    await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY 1`,
      [schema],
    )
  ).map((r: { table_name: string }) => r.table_name);

describe.each(APP_SCHEMAS.map((s) => [s.app, s] as const))('%s migrations', (_app, { app, schema, migrations }) => {
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    url = await createTestDatabase(`migrations_${app}`);
    dataSource = await connectDatabase(
      createDataSource({ url, schema, migrations: [...migrations], applicationName: 'migrations-test', poolSize: 2 }),
      url,
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('go up, down to nothing, and up again; a second run changes nothing', async () => {
    expect(await migrateSchema(dataSource, schema)).toHaveLength(migrations.length);
    const tables = await tablesIn(dataSource, schema);
    expect(tables.length).toBeGreaterThan(0);

    for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tablesIn(dataSource, schema)).toEqual([]);

    expect(await migrateSchema(dataSource, schema)).toHaveLength(migrations.length);
    expect(await tablesIn(dataSource, schema)).toEqual(tables);
    expect(await migrateSchema(dataSource, schema)).toEqual([]);
  });

  it('are safe when replicas start together (advisory lock)', async () => {
    const other = await connectDatabase(
      createDataSource({ url, schema, migrations: [...migrations], applicationName: 'migrations-test-2', poolSize: 2 }),
      url,
    );
    try {
      for (let i = 0; i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      const [a, b] = await Promise.all([migrateSchema(dataSource, schema), migrateSchema(other, schema)]);
      expect(a.length + b.length).toBe(migrations.length);
    } finally {
      await other.destroy();
    }
  });
});
