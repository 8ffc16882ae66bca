import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isTransientDatabaseError } from './is-transient-database-error';

/**
 * Runs `work` on one pooled connection, held for its duration and outside any transaction. A
 * statement that is atomic by itself then costs one round trip instead of three (BEGIN, it,
 * COMMIT), and through namedQuery it is prepared once per session rather than planned every time.
 */
export async function withConnection<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    return await work(runner.manager);
  } catch (error) {
    if (isTransientDatabaseError(error)) await releaseBroken(runner, error);
    throw error;
  } finally {
    await runner.release();
  }
}

/**
 * A connection terminated under a statement can still look healthy to the pool when it comes back
 * (its close not read yet) and would be lent out again to fail the next query; released with the
 * error, pg-pool destroys it. TypeORM releases this way itself on a connection's `error` event,
 * through the same method, which its typings keep private.
 */
async function releaseBroken(runner: QueryRunner, error: unknown): Promise<void> {
  const release = (runner as unknown as { releasePostgresConnection?: (err?: unknown) => Promise<void> })
    .releasePostgresConnection;
  if (release) await release.call(runner, error);
}
