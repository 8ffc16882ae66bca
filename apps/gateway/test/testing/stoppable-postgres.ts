import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, Interface } from 'node:readline';
import { Client } from 'pg';
import { freePort } from '../../../../tools/infra/free-port';

/** A Postgres server of the suite's own that the test can stop and start again, data kept. */
export interface StoppablePostgres {
  /** A test database on it. */
  readonly databaseUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startStoppablePostgres(databaseName: string): Promise<StoppablePostgres> {
  if (!databaseName.startsWith('test_')) throw new Error(`refusing to create non-test database ${databaseName}`);
  const port = await freePort();
  const server = spawn(process.execPath, [
    join(__dirname, 'stoppable-postgres-process.mjs'),
    String(port),
    mkdtempSync(join(tmpdir(), 'scs-pg-stoppable-')),
  ]);
  const answers = createInterface({ input: server.stdout });
  await answer(answers, server, 'started');
  const serverUrl = `postgres://postgres:postgres@127.0.0.1:${port}`;
  const admin = new Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`).finally(() => admin.end());
  const command = (line: string, expected: string) => {
    server.stdin.write(`${line}\n`);
    return answer(answers, server, expected);
  };
  return {
    databaseUrl: `${serverUrl}/${databaseName}`,
    stop: () => command('stop', 'stopped'),
    start: () => command('start', 'started'),
    destroy: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.stdin.end('exit\n');
      await exited;
    },
  };
}

function answer(lines: Interface, server: ChildProcessWithoutNullStreams, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`the Postgres process exited (${code}) before answering ${expected}`));
    server.once('exit', onExit);
    lines.once('line', (line) => {
      server.off('exit', onExit);
      if (line === expected) resolve();
      else reject(new Error(`Postgres process: expected "${expected}", got "${line}"`));
    });
  });
}
