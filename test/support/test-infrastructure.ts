import { startBroker } from '../../tools/infra/broker';
import { dockerEngineAnswers } from '../../tools/infra/docker-engine';
import { startPostgres } from '../../tools/infra/postgres-server';
import { RunningService } from '../../tools/infra/running-service';
import { startTogether } from '../../tools/infra/start-together';

/** Where the suites find the shared servers; set by the global setup, read by every worker. */
export const TEST_ENV = { databaseUrl: 'SCS_TEST_DATABASE_URL', brokers: 'SCS_TEST_KAFKA_BROKERS' } as const;

export interface TestInfrastructureOptions {
  /** Tests run the embedded Postgres without fsync; the benchmark may ask for it. */
  readonly fsync?: boolean;
}

/** Postgres and a broker side by side; if either fails, the other is stopped before the error surfaces. */
export async function startTestInfrastructure(
  log: (line: string) => void,
  { fsync = false }: TestInfrastructureOptions = {},
): Promise<RunningService[]> {
  const testcontainers = process.env.TESTCONTAINERS === '1' && dockerEngineAnswers();
  const [postgres, broker] = await startTogether([
    startPostgres({ useTestcontainers: testcontainers, fsync, log }),
    startBroker(process.env.KAFKA_BROKERS ? 'given' : testcontainers ? 'testcontainers' : 'local-kafka', log),
  ]);
  process.env[TEST_ENV.databaseUrl] = postgres.address;
  process.env[TEST_ENV.brokers] = broker.address;
  return [postgres, broker];
}
