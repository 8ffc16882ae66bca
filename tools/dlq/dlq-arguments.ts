/** What the operator asked for, parsed from argv (after `npm run dlq --`). */
export type DlqCommand =
  | { readonly kind: 'list'; readonly topic?: string; readonly json: boolean }
  | { readonly kind: 'show'; readonly ref: RecordRef }
  | { readonly kind: 'replay'; readonly ref?: RecordRef; readonly topic?: string; readonly json: boolean };

/** One DLQ record's position: `<dlq-topic>:<partition>:<offset>`. */
export interface RecordRef {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export const USAGE =
  'usage: dlq list [--topic <dlq-topic>|--all] [--json] | dlq show <dlq-topic>:<partition>:<offset> | dlq replay <dlq-topic>:<partition>:<offset>|--all [--topic <dlq-topic>] [--json]';

/** A bad command line: the tool prints one line and exits 2, having changed nothing. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

export function formatRef(ref: RecordRef): string {
  return `${ref.topic}:${ref.partition}:${ref.offset}`;
}

export function parseRef(text: string): RecordRef {
  const parts = text.split(':');
  if (parts.length !== 3) throw new UsageError(`"${text}" is not <dlq-topic>:<partition>:<offset>`);
  const [topic, partition, offset] = parts;
  if (!TOPIC.test(topic)) throw new UsageError(`"${topic}" is not a topic name`);
  if (!/^\d{1,9}$/.test(partition)) throw new UsageError(`partition "${partition}" is not a whole number`);
  if (!/^\d{1,19}$/.test(offset)) throw new UsageError(`offset "${offset}" is not a whole number`);
  return { topic, partition: Number(partition), offset: String(BigInt(offset)) };
}

export function parseDlqArguments(argv: readonly string[]): DlqCommand {
  const [verb, ...rest] = argv;
  const flags = readFlags(rest);
  switch (verb) {
    case 'list': {
      flags.only(['--topic', '--all', '--json']);
      if (flags.positional.length > 0) throw new UsageError(`list takes no record, got "${flags.positional[0]}"`);
      if (flags.topic !== undefined && flags.all) throw new UsageError('list takes --topic or --all, not both');
      return { kind: 'list', topic: flags.topic, json: flags.json };
    }
    case 'show': {
      flags.only([]);
      if (flags.positional.length !== 1) throw new UsageError('show takes exactly one <dlq-topic>:<partition>:<offset>');
      return { kind: 'show', ref: parseRef(flags.positional[0]) };
    }
    case 'replay': {
      flags.only(['--topic', '--all', '--json']);
      if (flags.positional.length > 1) throw new UsageError('replay takes one record or --all');
      const ref = flags.positional.length === 1 ? parseRef(flags.positional[0]) : undefined;
      if (ref && flags.all) throw new UsageError('replay takes one record or --all, not both');
      if (!ref && !flags.all) throw new UsageError('replay needs <dlq-topic>:<partition>:<offset> or --all');
      if (ref && flags.topic !== undefined)
        throw new UsageError('--topic goes with --all; a record already names its topic');
      return { kind: 'replay', ref, topic: flags.topic, json: flags.json };
    }
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}

interface Flags {
  readonly positional: string[];
  readonly seen: string[];
  topic?: string;
  all: boolean;
  json: boolean;
  only(allowed: readonly string[]): void;
}

function readFlags(args: readonly string[]): Flags {
  const flags: Flags = {
    positional: [],
    seen: [],
    all: false,
    json: false,
    only(allowed) {
      const bad = this.seen.find((f) => !allowed.includes(f));
      if (bad) throw new UsageError(`option ${bad} does not apply here`);
    },
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      flags.positional.push(arg);
      continue;
    }
    if (flags.seen.includes(arg)) throw new UsageError(`option ${arg} given twice`);
    flags.seen.push(arg);
    if (arg === '--all') flags.all = true;
    else if (arg === '--json') flags.json = true;
    else if (arg === '--topic') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--topic needs a DLQ topic name');
      if (!TOPIC.test(value)) throw new UsageError(`"${value}" is not a topic name`);
      flags.topic = value;
    } else throw new UsageError(`unknown option ${arg}`);
  }
  return flags;
}
