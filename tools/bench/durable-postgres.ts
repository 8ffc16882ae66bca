import { startPostgres } from '../infra/postgres-server';
import { RunningService } from '../infra/running-service';
import { isDurable, PostgresFacts, readPostgresFacts } from './postgres-facts';

export interface DurablePostgres {
  readonly server: RunningService;
  readonly facts: PostgresFacts;
}

/** DATABASE_URL, else an embedded Postgres with fsync on; checked with SHOW fsync / synchronous_commit before any load. */
export async function startDurablePostgres(allowNonDurable: boolean, say: (line: string) => void): Promise<DurablePostgres> {
  const server = await startPostgres({ useTestcontainers: false, fsync: true });
  try {
    const facts = await readPostgresFacts(server.address);
    say(
      `${server.description}: Postgres ${facts.version}, fsync=${facts.fsync}, synchronous_commit=${facts.synchronousCommit}, postmaster pid ${facts.postmasterPid ?? 'not on this machine'}`,
    );
    if (!isDurable(facts) && !allowNonDurable) {
      throw new Error(
        'Postgres does not flush commits (fsync or synchronous_commit off); the bench measures durable Postgres (BENCH_ALLOW_NON_DURABLE=1 to run anyway)',
      );
    }
    return { server, facts };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
