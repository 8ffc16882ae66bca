import { ConfigurationError } from './configuration-error';
import {
  readBoolean,
  readDatabaseUrl,
  readKafkaBrokers,
  readLogLevel,
  readPositiveInt,
  readWholeNumber,
  readTopicPrefix,
} from './env-readers';

const fails = (fn: () => unknown, variable: string) => {
  expect(fn).toThrow(ConfigurationError);
  expect(fn).toThrow(new RegExp(`^${variable} `));
};

describe('environment readers', () => {
  it('accepts broker lists and rejects malformed ones naming KAFKA_BROKERS', () => {
    expect(readKafkaBrokers({ KAFKA_BROKERS: 'a:9092, b.example:19092' })).toEqual(['a:9092', 'b.example:19092']);
    for (const bad of ['', 'not a broker', 'host', 'host:port', 'h:99999', 'a:1,,b:2'])
      fails(() => readKafkaBrokers({ KAFKA_BROKERS: bad }), 'KAFKA_BROKERS');
  });

  it('wants a postgres URL in DATABASE_URL', () => {
    expect(readDatabaseUrl({ DATABASE_URL: 'postgres://u:p@h:5432/db' })).toBe('postgres://u:p@h:5432/db');
    for (const bad of [undefined, 'nonsense', 'mysql://h/db'])
      fails(() => readDatabaseUrl({ DATABASE_URL: bad }), 'DATABASE_URL');
  });

  it('reads bounded whole numbers, booleans, log levels and topic prefixes', () => {
    expect(readPositiveInt({}, 'KAFKA_PARTITIONS', 6)).toBe(6);
    expect(readPositiveInt({ KAFKA_PARTITIONS: '12' }, 'KAFKA_PARTITIONS', 6)).toBe(12);
    fails(() => readPositiveInt({ PORT: '70000' }, 'PORT', 3000, 65535), 'PORT');
    fails(() => readPositiveInt({ PORT: '1.5' }, 'PORT', 3000), 'PORT');
    expect(readWholeNumber({ SCHEDULER_TIMER_LEAD_MS: '0' }, 'SCHEDULER_TIMER_LEAD_MS', 1_000, 0, 10_000)).toBe(0);
    expect(readWholeNumber({}, 'SCHEDULER_TIMER_LEAD_MS', 1_000, 0, 10_000)).toBe(1_000);
    fails(
      () => readWholeNumber({ SCHEDULER_TIMER_LEAD_MS: '-1' }, 'SCHEDULER_TIMER_LEAD_MS', 1_000, 0, 10_000),
      'SCHEDULER_TIMER_LEAD_MS',
    );
    fails(
      () => readWholeNumber({ SCHEDULER_TIMER_LEAD_MS: '10001' }, 'SCHEDULER_TIMER_LEAD_MS', 1_000, 0, 10_000),
      'SCHEDULER_TIMER_LEAD_MS',
    );
    expect(readBoolean({ X: 'true' }, 'X', false)).toBe(true);
    fails(
      () => readBoolean({ EXECUTOR_ALLOW_PRIVATE_TARGETS: 'yes' }, 'EXECUTOR_ALLOW_PRIVATE_TARGETS', false),
      'EXECUTOR_ALLOW_PRIVATE_TARGETS',
    );
    expect(readLogLevel({})).toBe('info');
    fails(() => readLogLevel({ LOG_LEVEL: 'loud' }), 'LOG_LEVEL');
    expect(readTopicPrefix({ KAFKA_TOPIC_PREFIX: 'staging.' })).toBe('staging.');
    fails(() => readTopicPrefix({ KAFKA_TOPIC_PREFIX: 'a b' }), 'KAFKA_TOPIC_PREFIX');
  });
});
