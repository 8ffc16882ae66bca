import { Client } from 'pg';
import { parentPid } from './process-cpu';

export interface PostgresFacts {
  readonly version: string;
  readonly fsync: string;
  readonly synchronousCommit: string;
  /** The postmaster, when the server runs on this machine (its backends are its children). */
  readonly postmasterPid?: number;
}

/** What the bench must know about the server: durability settings, version, and its postmaster's pid. */
export async function readPostgresFacts(url: string): Promise<PostgresFacts> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const one = async (sql: string) => Object.values((await db.query<Record<string, string>>(sql)).rows[0])[0];
    const backend = Number(await one('SELECT pg_backend_pid()'));
    const host = new URL(url).hostname;
    const local = ['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host);
    return {
      version: await one('SHOW server_version'),
      fsync: await one('SHOW fsync'),
      synchronousCommit: await one('SHOW synchronous_commit'),
      postmasterPid: local ? parentPid(backend) : undefined,
    };
  } finally {
    await db.end();
  }
}

export const isDurable = (f: PostgresFacts) => f.fsync === 'on' && f.synchronousCommit !== 'off';
