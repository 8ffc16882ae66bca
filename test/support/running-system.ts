import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../tools/infra/free-port';
import { projectRoot } from '../../tools/infra/project-root';
import { AppName, RunningApp, startApp, startApps, stopApp, stopApps, waitReady } from '../../tools/stack/app-processes';
import { createTestDatabase, testBrokers } from './test-database';

export const TEST_API_KEY = 'test-key-tenant-a';
export const OTHER_TENANT_API_KEY = 'test-key-tenant-b';

export interface RunningSystem {
  readonly baseUrl: string;
  readonly databaseUrl: string;
  readonly topicPrefix: string;
  readonly env: Record<string, string>;
  readonly apps: RunningApp[];
  readonly logFile: string;
  /** Kills one app at once (no graceful shutdown), as a crash would. */
  kill(app: AppName): Promise<void>;
  /** Starts a killed app again with the same settings, plus `envChanges` for this start only, and waits until it is ready. */
  restart(app: AppName, envChanges?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The four apps as separate processes from dist/, on the shared broker and Postgres server, with
 * their own database and topic prefix so suites cannot see each other. Logs go to a file.
 */
export async function startRunningSystem(suite: string, extraEnv: Record<string, string> = {}): Promise<RunningSystem> {
  const databaseUrl = await createTestDatabase(suite);
  const topicPrefix = `test-${suite}-${randomBytes(3).toString('hex')}.`;
  const ports = {
    gateway: await freePort(),
    'scheduler-core': await freePort(),
    executor: await freePort(),
    projector: await freePort(),
  };
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: testBrokers(),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_PARTITIONS: '3',
    GATEWAY_API_KEYS: `tenant-a:${TEST_API_KEY},tenant-b:${OTHER_TENANT_API_KEY}`,
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    EXECUTOR_ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  const logDir = join(projectRoot(), 'test-output');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${suite}.log`);
  const log = createWriteStream(logFile);
  const options = {
    env,
    ports,
    onLine: (app: AppName, line: string) => log.write(`[${app}] ${line}\n`),
    readyTimeoutMs: 90_000,
  };
  const apps = await startApps(options);
  const indexOf = (name: AppName) => apps.findIndex((a) => a.name === name);
  return {
    baseUrl: `http://127.0.0.1:${ports.gateway}`,
    databaseUrl,
    topicPrefix,
    env,
    apps,
    logFile,
    kill: async (name) => stopApp(apps[indexOf(name)], 'SIGKILL'),
    restart: async (name, envChanges = {}) => {
      const app = startApp(name, { ...options, env: { ...env, ...envChanges } });
      apps[indexOf(name)] = app;
      await waitReady(app, options.readyTimeoutMs);
    },
    stop: async () => {
      await stopApps(apps);
      log.end();
    },
  };
}
