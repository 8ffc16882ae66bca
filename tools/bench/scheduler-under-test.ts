import { Client } from 'pg';
import { startRunningSystem, RunningSystem } from '../../test/support/running-system';
import { TEST_ENV } from '../../test/support/test-infrastructure';
import { startBroker } from '../infra/broker';
import { RunningService } from '../infra/running-service';
import { dropBenchTestDatabase } from './bench-database';
import { BenchSettings } from './bench-settings';
import { listeningPid } from './listening-pid';
import { CpuGroup } from './process-cpu';

export interface SchedulerUnderTest {
  readonly system: RunningSystem;
  readonly broker: RunningService;
  /** The apps' own database on the server; the read model lives in it. */
  readonly db: Client;
  readonly cpuGroups: CpuGroup[];
  /** Stops the apps and the broker and drops the apps' database; Postgres stays for the peers. */
  stop(): Promise<void>;
}

/** A broker (KAFKA_BROKERS, else a local Kafka) and the four apps as processes, as the e2e suites start them. */
export async function startSchedulerUnderTest(
  postgresUrl: string,
  postmasterPid: number | undefined,
  settings: BenchSettings,
  say: (line: string) => void,
): Promise<SchedulerUnderTest> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => say(`stop failed: ${String(e)}`));
  };
  try {
    const broker = await startBroker(process.env.KAFKA_BROKERS ? 'given' : 'local-kafka', () => undefined);
    stops.push(() => broker.stop());
    say(broker.description);
    process.env[TEST_ENV.databaseUrl] = postgresUrl;
    process.env[TEST_ENV.brokers] = broker.address;
    const system = await startRunningSystem('bench', {
      LOG_LEVEL: settings.logLevel,
      KAFKA_PARTITIONS: String(settings.partitions),
    });
    // Stops run in reverse: the apps stop before their database is dropped.
    stops.push(() => dropBenchTestDatabase(postgresUrl, system.databaseUrl));
    stops.push(() => system.stop());
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    stops.push(() => db.end());
    const brokerPid = listeningPid(Number(broker.address.split(',')[0].split(':').pop()));
    // The backend serving the bench's own queries (the read-model watcher polls it 25-50 times a
    // second) is the bench's cost, not the system's: it is measured apart from Postgres.
    const benchBackend = postmasterPid ? await backendPid(db) : undefined;
    const cpuGroups: CpuGroup[] = [
      ...system.apps.map((a) => ({ name: a.name, pid: a.process.pid!, withDescendants: true })),
      ...(brokerPid ? [{ name: 'kafka', pid: brokerPid, withDescendants: true }] : []),
      ...(postmasterPid
        ? [{ name: 'postgres', pid: postmasterPid, withDescendants: true, excluded: benchBackend ? [benchBackend] : [] }]
        : []),
      { name: 'bench', pid: process.pid, withDescendants: false },
      ...(benchBackend ? [{ name: 'bench-postgres', pid: benchBackend, withDescendants: false }] : []),
    ];
    say(`system up at ${system.baseUrl}; CPU from /proc for ${cpuGroups.map((g) => `${g.name}=${g.pid}`).join(', ')}`);
    return { system, broker, db, cpuGroups, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function backendPid(db: Client): Promise<number> {
  const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0].pid;
}
