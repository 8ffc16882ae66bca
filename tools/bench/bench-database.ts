import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A database of its own on the bench's Postgres server, named so it is plainly the bench's, dropped afterwards. */
export async function createBenchDatabase(
  adminUrl: string,
  purpose: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${purpose.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  await withAdmin(adminUrl, (db) => db.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (db) => db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

/** Drops a database the running-system helper created for the bench (its names start test_bench_). */
export async function dropBenchTestDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!name.startsWith('test_bench_')) return;
  await withAdmin(adminUrl, (db) => db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function withAdmin(adminUrl: string, work: (db: Client) => Promise<unknown>): Promise<void> {
  const db = new Client({ connectionString: adminUrl });
  await db.connect();
  try {
    await work(db);
  } finally {
    await db.end();
  }
}
