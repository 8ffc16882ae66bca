import { ConfigurationError } from './configuration-error';

type Env = Readonly<Record<string, string | undefined>>;

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function readDatabaseUrl(env: Env): string {
  const value = env.DATABASE_URL;
  if (!value)
    throw new ConfigurationError('DATABASE_URL', 'is not set (expected postgres://user:password@host:port/database)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError('DATABASE_URL', 'is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) {
    throw new ConfigurationError('DATABASE_URL', `has scheme ${url.protocol} (expected postgres:)`);
  }
  return value;
}

export function readKafkaBrokers(env: Env): string[] {
  const value = env.KAFKA_BROKERS;
  if (!value) throw new ConfigurationError('KAFKA_BROKERS', 'is not set (expected host:port[,host:port...])');
  const brokers = value.split(',').map((b) => b.trim());
  const bad = brokers.find((b) => !BROKER.test(b) || Number(b.split(':')[1]) > 65535);
  if (bad !== undefined)
    throw new ConfigurationError('KAFKA_BROKERS', `has a malformed broker "${bad}" (expected host:port[,host:port...])`);
  return brokers;
}

export function readPositiveInt(env: Env, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return readWholeNumber(env, name, fallback, 1, max);
}

export function readWholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigurationError(name, `must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigurationError(name, `must be true or false, got "${value}"`);
}

export function readLogLevel(env: Env): LogLevel {
  const value = env.LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigurationError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return value as LogLevel;
}

export function readTopicPrefix(env: Env): string {
  const value = env.KAFKA_TOPIC_PREFIX ?? '';
  if (!/^[A-Za-z0-9._-]{0,100}$/.test(value))
    throw new ConfigurationError('KAFKA_TOPIC_PREFIX', 'may hold only letters, digits, . _ - (at most 100)');
  return value;
}
