import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

const names = new Map<string, string>();

/**
 * Runs a hot statement of fixed text as a named prepared statement on the manager's connection (a
 * transaction's, or a query runner's held without one), so Postgres parses it once per session,
 * and on a pool with generic plans (`DataSourceOptions.genericPlans`) plans it once too: the batch
 * statements here are CTEs over jsonb_to_recordset whose planning cost up to half as much as
 * running them. Returns the rows. Without a connection of its own (the data source's manager) it
 * is a plain query. Errors are pg's own (SQLSTATE in `code`).
 */
export async function namedQuery<T = Record<string, unknown>>(
  manager: EntityManager,
  text: string,
  values: readonly unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!(runner instanceof PostgresQueryRunner) || runner.isReleased) return manager.query(text, [...values]);
  const client = (await runner.connect()) as {
    query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
  };
  const { rows } = await client.query({ name: statementName(text), text, values: [...values] });
  return rows;
}

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `scs_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}
