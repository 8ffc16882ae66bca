import { QueryFailedError } from 'typeorm';
import { isRetriableBrokerError, isTransientFault } from './is-transient-fault';

const pgError = (code: string, message = `error ${code}`) => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('isTransientFault', () => {
  it.each([
    ['08006', 'connection failure'],
    ['08001', 'unable to connect'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock detected'],
    ['53300', 'too many connections'],
    ['57P01', 'admin shutdown'],
    ['57P03', 'cannot connect now'],
  ])('treats SQLSTATE %s (%s) as transient', (code) => {
    expect(isTransientFault(pgError(code))).toBe(true);
    expect(isTransientFault({ code })).toBe(true);
  });

  it.each([
    ['23505', 'unique violation'],
    ['22P02', 'invalid text representation'],
    ['23502', 'not null violation'],
    ['42P01', 'undefined table'],
    ['57014', 'query canceled'],
  ])('treats SQLSTATE %s (%s) as not transient', (code) => {
    expect(isTransientFault(pgError(code))).toBe(false);
  });

  it('looks inside a TypeORM QueryFailedError at the driver error', () => {
    const down = new QueryFailedError(
      'INSERT INTO x',
      [],
      pgError('57P01', 'terminating connection due to administrator command'),
    );
    expect(isTransientFault(down)).toBe(true);
    const duplicate = new QueryFailedError(
      'INSERT INTO x',
      [],
      pgError('23505', 'duplicate key value violates unique constraint'),
    );
    expect(isTransientFault(duplicate)).toBe(false);
    expect(isTransientFault(new QueryFailedError('SELECT 1', [], pgError('40P01')))).toBe(true);
  });

  it('follows cause and originalError chains', () => {
    expect(isTransientFault(new Error('outer', { cause: pgError('40001') }))).toBe(true);
    expect(isTransientFault(Object.assign(new Error('wrapped'), { originalError: { code: 'ECONNRESET' } }))).toBe(true);
    expect(isTransientFault(new Error('outer', { cause: pgError('23505') }))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN'])(
    'treats the network error %s as transient',
    (code) => {
      expect(
        isTransientFault(
          Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' }),
        ),
      ).toBe(true);
    },
  );

  it("recognises the pg driver's connection failures by message", () => {
    expect(isTransientFault(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientFault(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientFault(pgError('57P03', 'the database system is starting up'))).toBe(true);
  });

  it('treats kafkajs errors it would retry itself as transient', () => {
    expect(
      isTransientFault({
        name: 'KafkaJSProtocolError',
        retriable: true,
        type: 'COORDINATOR_LOAD_IN_PROGRESS',
        message: 'loading',
      }),
    ).toBe(true);
    expect(isTransientFault({ name: 'KafkaJSProtocolError', retriable: false, type: 'NOT_COORDINATOR' })).toBe(true);
    expect(isTransientFault({ name: 'KafkaJSConnectionError', message: 'Connection error: connect ECONNREFUSED' })).toBe(
      true,
    );
    expect(isTransientFault({ name: 'KafkaJSNumberOfRetriesExceeded', retriable: false })).toBe(true);
    expect(isRetriableBrokerError({ name: 'KafkaJSRequestTimeoutError' })).toBe(true);
  });

  it('treats kafkajs errors about the message itself as not transient', () => {
    expect(isTransientFault({ name: 'KafkaJSProtocolError', retriable: false, type: 'MESSAGE_TOO_LARGE' })).toBe(false);
    expect(isTransientFault({ name: 'KafkaJSProtocolError', retriable: false, type: 'INVALID_RECORD' })).toBe(false);
    // `retriable` alone is not enough outside kafkajs: any library may use the word.
    expect(isTransientFault({ name: 'SomethingElse', retriable: true })).toBe(false);
  });

  it('honours an explicit transient flag', () => {
    expect(isTransientFault(Object.assign(new Error('stream moved on'), { transient: true }))).toBe(true);
    expect(isTransientFault(Object.assign(new Error('no'), { transient: false }))).toBe(false);
  });

  it('treats handler errors and odd values as not transient', () => {
    expect(isTransientFault(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isTransientFault(new TypeError('x is not a function'))).toBe(false);
    expect(isTransientFault(undefined)).toBe(false);
    expect(isTransientFault(null)).toBe(false);
    expect(isTransientFault('ECONNREFUSED')).toBe(false);
    expect(isTransientFault({ code: 42 })).toBe(false);
  });

  it('stops following a cyclic cause chain', () => {
    const a: { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isTransientFault(a)).toBe(false);
  });
});
