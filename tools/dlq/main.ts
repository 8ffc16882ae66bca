import 'reflect-metadata';
import pino from 'pino';
import { ConfigurationError, readDatabaseUrl, readKafkaBrokers, readTopicPrefix } from '@app/common/config';
import { createKafka, TopicNamespace } from '@app/common/messaging';
import { parseDlqArguments, USAGE, UsageError } from './dlq-arguments';
import { runDlqCommand } from './dlq-commands';
import { ReplayLog } from './replay-log';

/**
 * `npm run dlq -- list|show|replay ...` (in the image: `node dist/tools/dlq/main.js ...`).
 * Exit 0 done, 2 bad command line (one line, nothing changed), 1 anything else (one line).
 */
async function main(argv: readonly string[]): Promise<void> {
  const command = parseDlqArguments(argv);
  const env = process.env;
  const brokers = readKafkaBrokers(env);
  const namespace = new TopicNamespace(readTopicPrefix(env));
  // Broker client warnings go to stderr so stdout stays the report.
  const log = pino({ level: 'warn', base: { tool: 'dlq' } }, pino.destination(2));
  const kafka = createKafka('dlq-tool', brokers, log);
  await runDlqCommand(command, {
    kafka,
    namespace,
    openReplayLog: () => ReplayLog.open(readDatabaseUrl(env)),
    print: (text) => process.stdout.write(`${text}\n`),
  });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) process.stderr.write(`dlq: ${message} (${USAGE})\n`);
    else if (error instanceof ConfigurationError) process.stderr.write(`dlq: configuration error: ${message}\n`);
    else process.stderr.write(`dlq: ${message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
