import { execFileSync } from 'node:child_process';
import { InfrastructureError } from '../infrastructure-error';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Postgres refuses to run as root; as root we run it as `postgres`, creating that system user when missing. */
export function postgresOsUser(name = 'postgres'): OsUser {
  const existing = lookUp(name);
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new InfrastructureError(
      `embedded Postgres: running as root needs an OS user "${name}", and useradd failed (${stderrOf(error)})`,
      `Create it (useradd --system --user-group ${name}), run as an ordinary user, or set DATABASE_URL`,
      { cause: error },
    );
  }
  const created = lookUp(name);
  if (!created)
    throw new InfrastructureError(
      `embedded Postgres: useradd ran but there is no user "${name}"`,
      'Check /etc/passwd, or set DATABASE_URL',
    );
  return created;
}

function lookUp(name: string): OsUser | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (error instanceof Error ? error.message : String(error));
}
