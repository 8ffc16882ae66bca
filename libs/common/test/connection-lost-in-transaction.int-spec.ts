import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { createDataSource, isTransientDatabaseError } from '@app/common/database';
import { isTransientFault } from '@app/common/faults';
import { createTestDatabase } from '../../../test/support/test-database';
import { eventually } from '../../../test/support/eventually';

/**
 * What TypeORM throws when Postgres drops a connection inside `dataSource.transaction(...)`, as a
 * restart or failover does: each shape must read as transient (DESIGN.md §9), or a consumer
 * dead-letters the work and the gateway answers 500.
 */
describe('a connection lost inside a transaction (real Postgres)', () => {
  let url: string;
  let dataSource: DataSource;
  let admin: Client;

  beforeAll(async () => {
    url = await createTestDatabase('connection_lost');
    dataSource = await createDataSource({
      url,
      schema: 'public',
      migrations: [],
      applicationName: 'connection-lost-it',
    }).initialize();
    admin = new Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await dataSource?.destroy();
  });

  /** Terminates the transaction's backend while it is idle in the transaction, and waits until TypeORM has let the connection go. */
  const loseConnection = async (manager: EntityManager) => {
    const [{ pid }] = await manager.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually('TypeORM to release the dead connection', () => manager.queryRunner!.isReleased);
  };

  const failureOf = async (work: (manager: EntityManager) => Promise<unknown>): Promise<Error> => {
    const error = await dataSource.transaction(work).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof Error)) throw new Error('the transaction should have failed');
    return error;
  };

  it('the next statement through the manager (QueryRunnerProviderAlreadyReleasedError) is transient', async () => {
    const error = await failureOf(async (manager) => {
      await loseConnection(manager);
      await manager.query('SELECT 1');
    });
    expect(error.name).toBe('QueryRunnerProviderAlreadyReleasedError');
    expect(isTransientDatabaseError(error)).toBe(true);
    expect(isTransientFault(error)).toBe(true);
  });

  it('the next statement through the query runner (QueryRunnerAlreadyReleasedError) is transient', async () => {
    const error = await failureOf(async (manager) => {
      await loseConnection(manager);
      await manager.queryRunner!.query('SELECT 1');
    });
    expect(error.name).toBe('QueryRunnerAlreadyReleasedError');
    expect(isTransientFault(error)).toBe(true);
  });

  it('the pool hands out working connections afterwards', async () => {
    await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
