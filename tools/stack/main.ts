import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readPositiveInt, readTopicPrefix } from '@app/common/config';
import { ALL_TOPICS } from '@app/common/contracts';
import { createKafka, ensureTopics, TopicNamespace } from '@app/common/messaging';
import { baseLogger } from '@app/common/app';
import { DEMO_API_KEYS } from '../../apps/gateway/src/gateway.config';
import { failureReport } from '../infra/infrastructure-error';
import { embeddedFsyncFrom, startPostgres } from '../infra/postgres-server';
import { RunningService } from '../infra/running-service';
import { startTogether } from '../infra/start-together';
import { migrateAll } from '../migrate-all';
import { AppName, RunningApp, startApps, stopApps } from './app-processes';
import { startStackBroker } from './stack-broker';

const COLORS: Record<AppName, string> = { gateway: '36', 'scheduler-core': '35', executor: '33', projector: '32' };
const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);

/** `npm run stack`: Postgres, a broker, migrations, topics and the four apps; Ctrl-C stops all of it. */
async function main(): Promise<void> {
  const services: RunningService[] = [];
  let apps: RunningApp[] = [];
  let stopping = false;
  const stopAll = async () => {
    await stopApps(apps);
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
  };
  // Whatever is still starting when we exit is killed by owned-process's exit hook.
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const infraLog = (line: string) => (process.env.STACK_VERBOSE || process.env.LOG_LEVEL === 'debug') && say(line);
    const [postgres, broker] = await startTogether([
      startPostgres({ useTestcontainers: false, fsync: embeddedFsyncFrom(process.env), log: infraLog }),
      startStackBroker(infraLog),
    ]);
    services.push(postgres, broker);
    say(postgres.description);
    say(broker.description);

    const partitions = readPositiveInt(process.env, 'KAFKA_PARTITIONS', 6, 1000);
    const applied = await migrateAll(postgres.address);
    say(
      `migrations: ${Object.entries(applied)
        .map(([app, m]) => `${app} +${m.length}`)
        .join(', ')}`,
    );
    const namespace = new TopicNamespace(readTopicPrefix(process.env));
    const topics = ALL_TOPICS.map((t) => namespace.physical(t));
    await ensureTopics(createKafka('stack', broker.address.split(','), baseLogger('stack', 'warn')), topics, partitions);
    say(`topics: ${ALL_TOPICS.join(', ')}${namespace.prefix ? ` (prefixed "${namespace.prefix}")` : ''}`);

    const port = readPositiveInt(process.env, 'PORT', 3000, 65535);
    const env: Record<string, string> = {
      DATABASE_URL: postgres.address,
      KAFKA_BROKERS: broker.address,
      KAFKA_PARTITIONS: String(partitions),
      SECRETS_ENCRYPTION_KEY: process.env.SECRETS_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
      GATEWAY_API_KEYS: process.env.GATEWAY_API_KEYS ?? DEMO_API_KEYS,
      EXECUTOR_ALLOW_PRIVATE_TARGETS: process.env.EXECUTOR_ALLOW_PRIVATE_TARGETS ?? 'false',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      MIGRATIONS_RUN: 'false',
    };
    apps = await startApps({
      env,
      ports: { gateway: port, 'scheduler-core': port + 1, executor: port + 2, projector: port + 3 },
      onLine: (app, line) => process.stdout.write(`\x1b[${COLORS[app]}m[${app}]\x1b[0m ${line}\n`),
    });
    for (const app of apps)
      app.process.once('exit', (code) => {
        if (!stopping) {
          say(`${app.name} exited with ${code}`);
          void stop(1);
        }
      });
    const apiKey = env.GATEWAY_API_KEYS.split(',')[0].split(':').slice(1).join(':');
    say(`ready: API on http://127.0.0.1:${port} (docs at /docs), tenant key "${apiKey}". Ctrl-C stops everything.`);
    say(
      `try: curl -s -X POST http://127.0.0.1:${port}/v1/service-calls -H 'Authorization: Bearer ${apiKey}' -H 'Idempotency-Key: k1' -H 'Content-Type: application/json' -d '{"target":{"method":"GET","url":"https://example.com/"}}'`,
    );
  } catch (error) {
    if (stopping) return;
    stopping = true;
    await stopAll();
    say(`failed: ${failureReport(error)}`);
    process.exit(1);
  }
}

void main();
