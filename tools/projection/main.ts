import { Client } from 'pg';
import { ConfigurationError, readDatabaseUrl } from '@app/common/config';
import { parseRebuildArguments, REBUILD_USAGE, RebuildUsageError } from './rebuild-arguments';
import { rebuildReadModel } from './rebuild-read-model';

/**
 * `npm run projection:rebuild` (in the image: `node dist/tools/projection/main.js`): rebuilds
 * projector.service_calls from the event store and swaps it in while the apps keep running.
 * Exit 0 done, 2 bad command line, 1 anything else; the live table is untouched unless it succeeded.
 */
async function main(argv: readonly string[]): Promise<void> {
  const args = parseRebuildArguments(argv);
  const url = readDatabaseUrl(process.env);
  const client = new Client({ connectionString: url, application_name: 'projection-rebuild' });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`DATABASE_URL: cannot connect (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
  try {
    const figures = await rebuildReadModel(client, {
      pageSize: args.pageSize,
      keepOld: args.keepOld,
      lockTimeoutMs: 5_000,
      settleTimeoutMs: 120_000,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    const out = process.stdout;
    out.write(
      `rebuilt projector.service_calls: ${figures.events} events, ${figures.streams} streams, ${figures.seconds.toFixed(2)} s, ${Math.round(figures.eventsPerSecond)} events/s\n`,
    );
    out.write(
      `swap: ${figures.eventsWhileLocked} events applied while the live table was locked for ${figures.lockHeldMs.toFixed(0)} ms, after ${figures.rounds} catch-up round(s)\n`,
    );
    out.write(figures.keptOldTable ? `old table kept as projector.${figures.keptOldTable}\n` : 'old table dropped\n');
  } finally {
    await client.end().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof RebuildUsageError) process.stderr.write(`projection:rebuild: ${message} (${REBUILD_USAGE})\n`);
    else if (error instanceof ConfigurationError)
      process.stderr.write(`projection:rebuild: configuration error: ${message}\n`);
    else process.stderr.write(`projection:rebuild: ${message}\n`);
    process.exit(error instanceof RebuildUsageError ? 2 : 1);
  },
);
