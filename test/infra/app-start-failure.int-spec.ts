import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../tools/infra/free-port';
import { projectRoot } from '../../tools/infra/project-root';
import { startApp, stopApp, waitReady } from '../../tools/stack/app-processes';
import { createTestDatabase, testBrokers } from '../support/test-database';

/**
 * A test whose app exits before it is ready must say why in its own failure, since CI keeps only the
 * test's output, not the app's log file: a CI run once failed with only "scheduler-core exited with
 * code 1 before it was ready".
 */
describe('an app that exits before it is ready', () => {
  let occupier: Server;
  let port: number;

  beforeAll(async () => {
    const entry = join(projectRoot(), 'dist', 'apps', 'gateway', 'src', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
    port = await freePort();
    // It answers no probe: waitReady's, meant for the app, reaches it instead.
    occupier = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => occupier.listen(port, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((r) => occupier.close(r)));

  it('is reported with its own last line: here, the port another process took', async () => {
    const app = startApp('gateway', {
      env: {
        DATABASE_URL: await createTestDatabase('app_start_failure'),
        KAFKA_BROKERS: testBrokers(),
        KAFKA_TOPIC_PREFIX: `test-startfail-${randomBytes(3).toString('hex')}.`,
        GATEWAY_API_KEYS: 'tenant-a:key-aaaaaaaa',
        SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'warn',
      },
      ports: { gateway: port, 'scheduler-core': 0, executor: 0, projector: 0 },
    });
    try {
      await expect(waitReady(app, 60_000)).rejects.toThrow(
        new RegExp(`^gateway exited with code 1 before it was ready: gateway: failed to start: .*EADDRINUSE.*${port}`),
      );
    } finally {
      await stopApp(app);
    }
  }, 90_000);
});
