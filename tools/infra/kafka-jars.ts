import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from './cache-dir';
import { InfrastructureError } from './infrastructure-error';
import { projectRoot } from './project-root';

export const KAFKA_VERSION = '3.9.1';

/** The Kafka jars, fetched by Maven once into the cache; a fetch cut short leaves nothing that looks complete. */
export function kafkaJars(log: (line: string) => void): string {
  const lib = cacheDir(`kafka-${KAFKA_VERSION}`, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) return lib;
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars with Maven into ${lib}`);
  mkdirSync(dirname(lib), { recursive: true });
  const fetching = mkdtempSync(join(dirname(lib), '.fetching-'));
  try {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        join(projectRoot(), 'tools/infra/kafka/pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${fetching}`,
        '-DincludeScope=runtime',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    rmSync(lib, { recursive: true, force: true });
    renameSync(fetching, lib);
  } catch (error) {
    rmSync(fetching, { recursive: true, force: true });
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InfrastructureError(
      missing
        ? 'local Kafka: its jars are not cached and mvn is not installed'
        : `local Kafka: Maven could not fetch its jars (${(error as Error).message})`,
      'Install Maven (and reach Maven Central) once, or set KAFKA_BROKERS to a running broker',
      { cause: error },
    );
  }
  return lib;
}
