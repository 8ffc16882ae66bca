import { DataSource } from 'typeorm';
import { createDataSource, isUniqueViolation, namedQuery } from '@app/common/database';
import { createTestDatabase } from '../../../test/support/test-database';

describe('namedQuery (real Postgres)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const url = await createTestDatabase('named-query');
    dataSource = await createDataSource({
      url,
      schema: 'public',
      migrations: [],
      applicationName: 'nq-it',
      poolSize: 1,
    }).initialize();
    await dataSource.query(`CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const insert = `INSERT INTO items (id, label) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING id, label`;

  it('prepares the statement once per session and returns its rows', async () => {
    const first = await dataSource.transaction((m) =>
      namedQuery(m, insert, [
        [1, 2],
        ['a', 'b'],
      ]),
    );
    expect(first).toEqual([
      { id: 1, label: 'a' },
      { id: 2, label: 'b' },
    ]);
    const again = await dataSource.transaction(async (m) => {
      const rows = await namedQuery(m, insert, [[3], ['c']]);
      const prepared = await m.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [insert]);
      return { rows, prepared: prepared[0].n as number };
    });
    expect(again).toEqual({ rows: [{ id: 3, label: 'c' }], prepared: 1 });
  });

  it("surfaces pg's own errors, SQLSTATE included, and the transaction rolls back", async () => {
    const failed = await dataSource
      .transaction(async (m) => {
        await namedQuery(m, insert, [[10], ['x']]);
        await namedQuery(m, insert, [[10], ['y']]);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isUniqueViolation(failed)).toBe(true);
    expect(await dataSource.query(`SELECT id FROM items WHERE id = 10`)).toEqual([]);
  });

  it('is a plain query outside a transaction', async () => {
    expect(await namedQuery(dataSource.manager, `SELECT $1::int + 1 AS n`, [41])).toEqual([{ n: 42 }]);
  });
});
