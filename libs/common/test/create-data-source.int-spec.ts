import { Client } from 'pg';
import { createDataSource } from '@app/common/database';
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
});
