import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, freePortRun } from '../../tools/infra/free-port';
import { postgresOsUser } from '../../tools/infra/postgres/postgres-os-user';
import { MarkedProcess, markedProcessesAfter, watchMarkedProcesses } from '../support/marked-processes';
import { clonePrivately, handOver, modeOf, PrivateClone } from '../support/private-clone';
import { watchCommand } from '../support/watched-command';

const asRoot = process.getuid?.() === 0;
const ORDINARY_USER = 'scsuser';
const MARKER_NAME = 'SCS_FRESH_CLONE_RUN';
const isPostgres = (p: MarkedProcess) => /\/bin\/postgres$/.test(p.exe);
const isJava = (p: MarkedProcess) => /\/java$/.test(p.exe);

/**
 * Issue 8: a newcomer's clone sits in a home directory of mode 700, as root or not. `npm run stack`
 * and `npm test` must start from there, stop everything they started on Ctrl-C or on a failed
 * start, and explain a failed start in one line.
 */
describe('a fresh clone in a mode-700 home (e2e)', () => {
  let clone: PrivateClone;

  beforeAll(() => {
    clone = clonePrivately();
  }, 90_000);
  afterAll(() => clone?.remove());

  /** The environment a newcomer has: none of the test run's own infrastructure settings. */
  function newcomerEnv(extra: Record<string, string>): { env: NodeJS.ProcessEnv; marker: string } {
    const marker = `${MARKER_NAME}=${randomUUID()}`;
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) =>
          !/^(DATABASE_URL|KAFKA_|SCS_TEST_|TESTCONTAINERS|PORT|GATEWAY_API_KEYS|EMBEDDED_POSTGRES_FSYNC|JEST_|LOG_LEVEL)/.test(
            name,
          ),
      ),
    );
    return {
      env: { ...env, TMPDIR: clone.scratch, LOG_LEVEL: 'warn', [MARKER_NAME]: marker.split('=')[1], ...extra },
      marker,
    };
  }

  async function expectNothingLeft(marker: string): Promise<void> {
    expect(await markedProcessesAfter(marker, 15_000)).toEqual([]);
    expect(readdirSync(clone.scratch)).toEqual([]);
  }

  function expectOneClearLine(output: string, prefix: string, says: RegExp): void {
    const lines = output.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toMatch(says);
    expect(lines.filter((l) => l.startsWith(prefix))).toHaveLength(1);
    expect(output).not.toMatch(/^\s+at /m);
  }

  it('is a clone in a folder only its owner can enter', () => {
    expect(modeOf(clone.home)).toBe(0o700);
    expect(readdirSync(clone.dir)).toEqual(expect.arrayContaining(['package.json', 'dist', 'node_modules']));
  });

  it('npm run stack starts there, answers /health/ready, and leaves nothing running after Ctrl-C', async () => {
    const { env, marker } = newcomerEnv({ PORT: String(await freePortRun(4)) });
    const watcher = watchMarkedProcesses(marker);
    const stack = watchCommand(process.execPath, ['dist/tools/stack/main.js'], { cwd: clone.dir, env });
    try {
      await stack.waitFor('[stack] ready', 90_000);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/health/ready`)).status).toBe(200);
      const postgres = watcher.seen().filter(isPostgres);
      expect(postgres.length).toBeGreaterThan(0);
      // As root, Postgres runs as postgres from the copy that user can reach, never from node_modules.
      if (asRoot)
        for (const p of postgres)
          expect(p).toMatchObject({
            uid: postgresOsUser().uid,
            exe: expect.stringMatching(/^\/var\/cache\/service-call-scheduler\//),
          });
      expect(watcher.seen().some(isJava)).toBe(true);
    } finally {
      stack.signal('SIGINT');
      watcher.stop();
    }
    expect(await stack.exited).toBe(0);
    await expectNothingLeft(marker);
  }, 120_000);

  it('a Postgres that does not answer ends the stack in one line and stops the broker it started', async () => {
    const closed = `postgres://postgres:postgres@127.0.0.1:${await freePort()}/postgres`;
    const { env, marker } = newcomerEnv({ PORT: String(await freePortRun(4)), DATABASE_URL: closed });
    const watcher = watchMarkedProcesses(marker);
    const stack = watchCommand(process.execPath, ['dist/tools/stack/main.js'], { cwd: clone.dir, env });
    expect(await stack.exited).toBe(1);
    watcher.stop();
    expectOneClearLine(
      stack.output(),
      '[stack] failed',
      /^\[stack\] failed: Postgres at DATABASE_URL \(127\.0\.0\.1:\d+\/postgres\) does not answer: .+\. Start that server, fix DATABASE_URL, or unset it/,
    );
    expect(watcher.seen().some(isJava)).toBe(true);
    await expectNothingLeft(marker);
  }, 60_000);

  it('a broker that cannot start ends the stack in one line and stops the Postgres it started', async () => {
    const { env, marker } = newcomerEnv({
      PORT: String(await freePortRun(4)),
      PATH: `${clone.brokenJavaDir}:${process.env.PATH}`,
    });
    const watcher = watchMarkedProcesses(marker);
    const stack = watchCommand(process.execPath, ['dist/tools/stack/main.js'], { cwd: clone.dir, env });
    expect(await stack.exited).toBe(1);
    watcher.stop();
    expectOneClearLine(
      stack.output(),
      '[stack] failed',
      /^\[stack\] failed: local Kafka could not format its storage \(Error: Could not create the Java Virtual Machine\.\)\. Check that Java 17 runs/,
    );
    expect(watcher.seen().some(isPostgres)).toBe(true);
    await expectNothingLeft(marker);
  }, 60_000);

  const jestArgs = () => [
    'node_modules/jest/bin/jest.js',
    '--config',
    'jest.config.js',
    '--ci',
    '--cacheDirectory',
    join(clone.home, 'jest-cache'),
    'test/infrastructure.int-spec.ts',
  ];

  it("npm test's shared infrastructure starts there and is gone when jest ends", async () => {
    const { env, marker } = newcomerEnv({});
    const jest = watchCommand(process.execPath, jestArgs(), { cwd: clone.dir, env });
    expect(await jest.exited).toBe(0);
    expect(jest.output()).toMatch(/\[test infra\] embedded Postgres on 127\.0\.0\.1:\d+.*; Apache Kafka .* ready in \d+ ms/);
    expect(jest.output()).toMatch(/Tests:\s+2 passed, 2 total/);
    await expectNothingLeft(marker);
  }, 90_000);

  it("npm test's failed infrastructure start is one line and leaves nothing behind", async () => {
    const { env, marker } = newcomerEnv({ PATH: `${clone.brokenJavaDir}:${process.env.PATH}` });
    const watcher = watchMarkedProcesses(marker);
    const jest = watchCommand(process.execPath, jestArgs(), { cwd: clone.dir, env });
    expect(await jest.exited).toBe(1);
    watcher.stop();
    expectOneClearLine(
      jest.output(),
      '[test infra] failed',
      /^\[test infra\] failed: local Kafka could not format its storage .*\. Check that Java 17 runs/,
    );
    expect(watcher.seen().some(isPostgres)).toBe(true);
    await expectNothingLeft(marker);
  }, 60_000);

  (asRoot ? it : it.skip)(
    `npm run stack starts for an ordinary user (${ORDINARY_USER}) from their mode-700 home`,
    async () => {
      const user = ensureUser(ORDINARY_USER);
      const { xdgCacheHome } = handOver(clone, user.uid, user.gid);
      const { env, marker } = newcomerEnv({
        PORT: String(await freePortRun(4)),
        HOME: clone.home,
        USER: user.name,
        XDG_CACHE_HOME: xdgCacheHome,
      });
      const watcher = watchMarkedProcesses(marker);
      const stack = watchCommand(process.execPath, ['dist/tools/stack/main.js'], {
        cwd: clone.dir,
        env,
        uid: user.uid,
        gid: user.gid,
      });
      try {
        await stack.waitFor('[stack] ready', 90_000);
        expect((await fetch(`http://127.0.0.1:${env.PORT}/health/ready`)).status).toBe(200);
        const postgres = watcher.seen().filter(isPostgres);
        expect(postgres.length).toBeGreaterThan(0);
        for (const p of postgres) expect(p.uid).toBe(user.uid);
      } finally {
        stack.signal('SIGINT');
        watcher.stop();
      }
      expect(await stack.exited).toBe(0);
      await expectNothingLeft(marker);
    },
    120_000,
  );
});

/** The ordinary user for the last case, created (no home, no login) when this root machine lacks it. */
function ensureUser(name: string): { name: string; uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'pipe' });
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g') };
}
