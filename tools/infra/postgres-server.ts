import { Client } from 'pg';
import { InfrastructureError } from './infrastructure-error';
import { startEmbeddedPostgres } from './postgres/embedded-postgres';
import { RunningService } from './running-service';

export interface PostgresServerOptions {
  readonly useTestcontainers: boolean;
  /** For the embedded server only; tests run without it. */
  readonly fsync: boolean;
  readonly log?: (line: string) => void;
}

/** DATABASE_URL when given (and answering), else Postgres on Testcontainers when asked for, else a throwaway embedded Postgres. */
export async function startPostgres({
  useTestcontainers,
  fsync,
  log = () => undefined,
}: PostgresServerOptions): Promise<RunningService> {
  const given = process.env.DATABASE_URL;
  if (given) {
    await expectAnswer(given);
    return { address: given, description: 'Postgres from DATABASE_URL', stop: async () => undefined };
  }
  if (useTestcontainers) return startPostgresContainer();
  return startEmbeddedPostgres({ fsync, log });
}

/** `EMBEDDED_POSTGRES_FSYNC=on` makes the embedded server durable (the stack and the benchmark); off by default. */
export function embeddedFsyncFrom(env: NodeJS.ProcessEnv): boolean {
  const value = env.EMBEDDED_POSTGRES_FSYNC ?? 'off';
  if (value !== 'on' && value !== 'off')
    throw new InfrastructureError(`EMBEDDED_POSTGRES_FSYNC is "${value}"`, 'Use on or off');
  return value === 'on';
}

async function expectAnswer(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new InfrastructureError(
      `Postgres at DATABASE_URL (${whereTo(url)}) does not answer: ${(error as Error).message}`,
      'Start that server, fix DATABASE_URL, or unset it to use an embedded Postgres',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** host:port/database, never the password. */
function whereTo(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

async function startPostgresContainer(): Promise<RunningService> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:16-alpine')
    .withCommand(['postgres', '-c', 'max_connections=300'])
    .start();
  return {
    address: container.getConnectionUri(),
    description: 'Postgres (Testcontainers)',
    stop: async () => {
      await container.stop();
    },
  };
}
