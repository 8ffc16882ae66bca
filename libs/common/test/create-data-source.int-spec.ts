import { Client } from 'pg';
import { createDataSource, namedQuery } from '@app/common/database';
import { createTestDatabase } from '../../../test/support/test-database';

describe('createDataSource (real Postgres)', () => {
  it('runs every transaction READ COMMITTED, even on a database whose default is stricter, without a SET per transaction', async () => {
    const url = await createTestDatabase('data-source');
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const database = (await admin.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
    await admin.query(`ALTER DATABASE "${database}" SET default_transaction_isolation = 'serializable'`);
    await admin.end();

    const dataSource = await createDataSource({
      url,
      schema: 'public',
      migrations: [],
      applicationName: 'ds-it',
    }).initialize();
    try {
      const isolation = await dataSource.transaction(
        async (manager) => (await manager.query(`SHOW transaction_isolation`))[0].transaction_isolation as string,
      );
      expect(isolation).toBe('read committed');
    } finally {
      await dataSource.destroy();
    }
  });

  it.each([{ genericPlans: true }, { genericPlans: false }])(
    'runs a named statement on its one generic plan with genericPlans, and plans it per run without (genericPlans $genericPlans)',
    async ({ genericPlans }) => {
      const url = await createTestDatabase('data-source-plans');
      const dataSource = await createDataSource({
        url,
        schema: 'public',
        migrations: [],
        applicationName: 'ds-plans-it',
        poolSize: 1,
        genericPlans,
      }).initialize();
      try {
        await dataSource.query(`CREATE TABLE items (id text PRIMARY KEY, label text NOT NULL)`);
        const lookup = `SELECT i.* FROM unnest($1::text[]) AS k(id) JOIN items i USING (id)`;
        const plans = await dataSource.transaction(async (m) => {
          for (let run = 0; run < 8; run += 1) await namedQuery(m, lookup, [[`item-${run}`]]);
          const [row] = await m.query(
            `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = $1`,
            [lookup],
          );
          return row as { generic: number; custom: number };
        });
        // Postgres's default plans at least the first five runs for their values (here it planned all eight).
        if (genericPlans) expect(plans).toEqual({ generic: 8, custom: 0 });
        else expect(plans.custom).toBeGreaterThanOrEqual(5);
      } finally {
        await dataSource.destroy();
      }
    },
  );
});
