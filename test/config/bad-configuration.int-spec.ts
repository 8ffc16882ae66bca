import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../tools/infra/free-port';
import { projectRoot } from '../../tools/infra/project-root';
import { createTestDatabase, testBrokers } from '../support/test-database';

type App = 'gateway' | 'scheduler-core' | 'executor' | 'projector';
const APPS: readonly App[] = ['gateway', 'scheduler-core', 'executor', 'projector'];
// Each app fails in about 2 s alone; 18 start at once here, beside other suites on 2 cores.
const EXIT_WITHIN_MS = 45_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

interface Case {
  readonly name: string;
  readonly app: App;
  readonly env: Record<string, string>;
  /** The variable the one stderr line must name. */
  readonly variable: string;
  /** Values that must not appear in the output (secrets). */
  readonly secrets?: readonly string[];
}

const entry = (app: App) => join(projectRoot(), 'dist', 'apps', app, 'src', 'main.js');

/** Runs a compiled app with exactly this environment; kills it if it has not exited in time. */
function runApp(app: App, env: Record<string, string>): Promise<Exit> {
  const started = Date.now();
  const child = spawn(process.execPath, [entry(app)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('bad configuration stops each compiled app with one clear line', () => {
  const cases: Case[] = [
    ...APPS.map((app) => ({
      name: 'DATABASE_URL on a closed port',
      app,
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' },
      variable: 'DATABASE_URL',
    })),
    ...APPS.map((app) => ({
      name: 'KAFKA_BROKERS malformed',
      app,
      env: { KAFKA_BROKERS: 'not a broker' },
      variable: 'KAFKA_BROKERS',
    })),
    ...APPS.map((app) => ({
      name: 'KAFKA_BROKERS well-formed but unreachable',
      app,
      env: { KAFKA_BROKERS: '127.0.0.1:9' },
      variable: 'KAFKA_BROKERS',
    })),
    {
      name: 'GATEWAY_API_KEYS without a colon',
      app: 'gateway',
      env: { GATEWAY_API_KEYS: 'nocolon' },
      variable: 'GATEWAY_API_KEYS',
    },
    {
      name: 'GATEWAY_API_KEYS with a short key',
      app: 'gateway',
      env: { GATEWAY_API_KEYS: 'tenant-a:zq7x' },
      variable: 'GATEWAY_API_KEYS',
      secrets: ['zq7x'],
    },
    ...(['executor', 'gateway'] as const).map((app) => ({
      name: 'SECRETS_ENCRYPTION_KEY too short',
      app,
      env: { SECRETS_ENCRYPTION_KEY: 'short' },
      variable: 'SECRETS_ENCRYPTION_KEY',
    })),
    {
      name: 'SECRETS_ENCRYPTION_KEY of 14 bytes',
      app: 'executor',
      env: { SECRETS_ENCRYPTION_KEY: 'c2VjcmV0LWtleS1xdzk=' },
      variable: 'SECRETS_ENCRYPTION_KEY',
      secrets: ['c2VjcmV0LWtleS1xdzk'],
    },
    {
      name: 'SECRETS_DECRYPTION_KEYS with a 14-byte entry',
      app: 'executor',
      env: { SECRETS_DECRYPTION_KEYS: 'c2VjcmV0LWtleS1xdzk=' },
      variable: 'SECRETS_DECRYPTION_KEYS',
      secrets: ['c2VjcmV0LWtleS1xdzk'],
    },
    {
      name: 'SCHEDULER_TIMER_LEAD_MS above its bound',
      app: 'scheduler-core',
      env: { SCHEDULER_TIMER_LEAD_MS: '60000' },
      variable: 'SCHEDULER_TIMER_LEAD_MS',
    },
    {
      name: 'DATABASE_URL with a password, on a closed port',
      app: 'gateway',
      env: { DATABASE_URL: 'postgres://scheduler:pw-never-printed-42@127.0.0.1:1/x' },
      variable: 'DATABASE_URL',
      secrets: ['pw-never-printed-42'],
    },
  ];
  const exits = new Map<Case, Exit>();

  beforeAll(async () => {
    for (const app of APPS) {
      if (!existsSync(entry(app))) throw new Error(`${entry(app)} is missing: run \`npm run build\` first (npm test does)`);
    }
    const valid = {
      DATABASE_URL: await createTestDatabase('bad_configuration'),
      KAFKA_BROKERS: testBrokers(),
      KAFKA_TOPIC_PREFIX: `test-badcfg-${randomBytes(3).toString('hex')}.`,
      GATEWAY_API_KEYS: 'tenant-a:key-aaaaaaaa',
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'info',
    };
    // All at once: each is its own process, and none gets far enough to touch the others' state.
    await Promise.all(
      cases.map(async (c) => {
        const port = String(await freePort());
        exits.set(c, await runApp(c.app, { ...valid, PORT: port, ...c.env }));
      }),
    );
  }, EXIT_WITHIN_MS + 30_000);

  it.each(cases.map((c) => [`${c.app}: ${c.name}`, c] as const))('%s', (_, c) => {
    const exit = exits.get(c)!;
    const report = `exit code ${exit.code}, signal ${exit.signal}, after ${exit.ms} ms\nstderr:\n${exit.stderr}\nstdout:\n${exit.stdout}`;
    if (exit.signal === 'SIGKILL') throw new Error(`${c.app} did not exit within ${EXIT_WITHIN_MS} ms\n${report}`);
    expect({ exitedNonZero: exit.code !== null && exit.code !== 0, report }).toEqual({ exitedNonZero: true, report });

    const lines = exit.stderr.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
    expect({ lines, report }).toEqual({ lines: [expect.stringContaining(c.variable)], report });
    expect(lines[0].trim()).not.toBe('');
    for (const secret of c.secrets ?? []) expect(exit.stderr + exit.stdout).not.toContain(secret);
  });
});
