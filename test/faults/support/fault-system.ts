import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../../tools/infra/free-port';
import { projectRoot } from '../../../tools/infra/project-root';
import { APPS, AppName, RunningApp, startApp, stopApp, waitReady } from '../../../tools/stack/app-processes';
import { RestartableKafka, startRestartableKafka } from './restartable-kafka';
import { RestartablePostgres, startRestartablePostgres } from './restartable-postgres';

export const FAULTS_API_KEY = 'faults-key-tenant-a';

export interface FaultSystemOptions {
  /** Extra environment for every app. */
  readonly env?: Record<string, string>;
  /** Extra environment for one app only (e.g. LD_PRELOAD of libfaketime on scheduler-core). */
  readonly appEnv?: Partial<Record<AppName, Record<string, string>>>;
}

/**
 * A broker, a Postgres and the four apps, all started and owned by one fault scenario, so it can
 * kill, stop and restart any of them. Logs of all of them go to test-output/faults-<name>.log.
 */
export class FaultSystem {
  readonly apps = new Map<AppName, RunningApp>();
  private readonly log: ReturnType<typeof createWriteStream>;
  readonly logFile: string;
  private readonly lines: string[] = [];

  private constructor(
    readonly name: string,
    readonly postgres: RestartablePostgres,
    readonly kafka: RestartableKafka,
    readonly databaseUrl: string,
    readonly topicPrefix: string,
    readonly ports: Record<AppName, number>,
    private readonly env: Record<string, string>,
    private appEnv: Partial<Record<AppName, Record<string, string>>>,
    logFile: string,
  ) {
    this.logFile = logFile;
    this.log = createWriteStream(logFile);
  }

  static async start(name: string, options: FaultSystemOptions = {}): Promise<FaultSystem> {
    const logDir = join(projectRoot(), 'test-output');
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, `faults-${name}.log`);
    const infraLog = createWriteStream(`${logFile}.infra`);
    const [pgStart, kafkaStart] = await Promise.allSettled([
      startRestartablePostgres((l) => infraLog.write(`[postgres] ${l}\n`)),
      startRestartableKafka((l) => infraLog.write(`${l}\n`)),
    ]);
    if (pgStart.status === 'rejected' || kafkaStart.status === 'rejected') {
      // Whichever did start must not outlive the failed scenario.
      if (pgStart.status === 'fulfilled') await pgStart.value.destroy();
      if (kafkaStart.status === 'fulfilled') await kafkaStart.value.destroy();
      throw pgStart.status === 'rejected' ? pgStart.reason : (kafkaStart as PromiseRejectedResult).reason;
    }
    const [postgres, kafka] = [pgStart.value, kafkaStart.value];
    const dbName = `test_faults_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const databaseUrl = postgres.url.replace(/\/postgres$/, `/${dbName}`);
    const topicPrefix = `faults-${name}-${randomBytes(3).toString('hex')}.`;
    const ports = {
      gateway: await freePort(),
      'scheduler-core': await freePort(),
      executor: await freePort(),
      projector: await freePort(),
    };
    const env = {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: kafka.address,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_PARTITIONS: '3',
      GATEWAY_API_KEYS: `tenant-a:${FAULTS_API_KEY}`,
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      EXECUTOR_ALLOW_PRIVATE_TARGETS: 'true',
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const system = new FaultSystem(
      name,
      postgres,
      kafka,
      databaseUrl,
      topicPrefix,
      ports,
      env,
      options.appEnv ?? {},
      logFile,
    );
    try {
      // scheduler-core first: the apps race to run migrations and create topics otherwise, which is fine but slower on 2 cores.
      await system.startApp('scheduler-core');
      await Promise.all(APPS.filter((a) => a !== 'scheduler-core').map((a) => system.startApp(a)));
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  /** Starts (or restarts) one app and waits until it reports ready. */
  async startApp(name: AppName, readyTimeoutMs = 90_000): Promise<void> {
    const app = startApp(name, {
      env: { ...this.env, ...(this.appEnv[name] ?? {}) },
      ports: this.ports,
      onLine: (n, line) => this.onLine(n, line),
    });
    this.apps.set(name, app);
    await waitReady(app, readyTimeoutMs);
  }

  /** Apps this suite restarted because they exited on their own (as Kubernetes would restart them). */
  readonly supervisorRestarts: string[] = [];

  /** Restarts every app that exited on its own (a crashed consumer exits the process by design); returns their names. */
  async restartExited(): Promise<AppName[]> {
    const exited = [...this.apps.values()]
      .filter((a) => a.process.exitCode !== null || a.process.signalCode !== null)
      .map((a) => a.name);
    for (const name of exited) {
      this.note(`restarting ${name}, which exited`);
      this.supervisorRestarts.push(name);
      await this.startApp(name);
    }
    return exited;
  }

  /** Second instances (`<app>#2`), each on its own port, for scenarios with replicas. */
  readonly replicas = new Map<AppName, RunningApp>();

  /** Starts a second instance of an app (same group, same database) on a port of its own; returns its port. */
  async startReplica(name: AppName, readyTimeoutMs = 90_000): Promise<number> {
    const port = await freePort();
    const app = startApp(name, {
      env: { ...this.env, ...(this.appEnv[name] ?? {}) },
      ports: { ...this.ports, [name]: port },
      onLine: (n, line) => this.onLine(`${n}#2` as AppName, line),
    });
    this.replicas.set(name, app);
    await waitReady(app, readyTimeoutMs);
    return port;
  }

  /** Environment for one app from its next start on (e.g. to start it again under faketime). */
  setAppEnv(name: AppName, env: Record<string, string>): void {
    this.appEnv = { ...this.appEnv, [name]: env };
  }

  /** SIGKILL, as a crash would. */
  async kill(name: AppName): Promise<void> {
    const app = this.apps.get(name);
    if (app) await stopApp(app, 'SIGKILL');
  }

  async stopApp(name: AppName): Promise<void> {
    const app = this.apps.get(name);
    if (app) await stopApp(app, 'SIGTERM');
  }

  /** Log lines of one app (or all) seen so far that match `pattern`. */
  linesMatching(pattern: RegExp, app?: AppName): string[] {
    return this.lines.filter((l) => (!app || l.startsWith(`[${app}]`)) && pattern.test(l));
  }

  note(text: string): void {
    this.log.write(`[fault-test] ${new Date().toISOString()} ${text}\n`);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps.values(), ...this.replicas.values()].map((a) => stopApp(a, 'SIGTERM')));
    await this.kafka.destroy().catch(() => undefined);
    await this.postgres.destroy().catch(() => undefined);
    this.log.end();
  }

  private onLine(app: AppName, line: string): void {
    const text = `[${app}] ${line}`;
    this.log.write(`${text}\n`);
    // Keep only lines worth counting in memory (the file has everything).
    if (/joined group|rebalanc|dead.?letter|dlq|error|exit|crash/i.test(line)) this.lines.push(text);
  }
}
