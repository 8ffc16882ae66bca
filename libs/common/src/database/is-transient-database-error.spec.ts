import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isTransientDatabaseError } from './is-transient-database-error';

const sqlError = (code: string, message = `sqlstate ${code}`): DatabaseError => {
  const error = new DatabaseError(message, 0, 'error');
  error.code = code;
  return error;
};
const systemError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('isTransientDatabaseError', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN'])(
    'counts the socket error %s',
    (code) => {
      expect(isTransientDatabaseError(systemError(code))).toBe(true);
    },
  );

  it.each([
    ['08006', 'connection failure'],
    ['08001', 'cannot establish a connection'],
    ['57P01', 'admin shutdown'],
    ['57P02', 'crash shutdown'],
    ['57P03', 'cannot connect now'],
    ['53300', 'too many connections'],
    ['53100', 'disk full'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
  ])('counts SQLSTATE %s (%s)', (code) => {
    expect(isTransientDatabaseError(sqlError(code))).toBe(true);
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('counts pg\'s code-less "%s"', (message) => {
    expect(isTransientDatabaseError(new Error(message))).toBe(true);
  });

  it('looks through QueryFailedError, cause chains and AggregateError', () => {
    expect(isTransientDatabaseError(new QueryFailedError('SELECT 1', [], sqlError('57P01')))).toBe(true);
    expect(isTransientDatabaseError(new Error('outer', { cause: systemError('ECONNRESET') }))).toBe(true);
    expect(
      isTransientDatabaseError(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'all failed')),
    ).toBe(true);
  });

  it.each([
    ['a unique violation', sqlError('23505')],
    ['a syntax error', sqlError('42601')],
    ['an undefined table', sqlError('42P01')],
    ['an invalid uuid', sqlError('22P02')],
    ['database dropped (57P04)', sqlError('57P04', 'terminating connection because database was dropped')],
    ['a wrapped check violation', new QueryFailedError('INSERT', [], sqlError('23514'))],
    ['a plain bug', new TypeError('x is undefined')],
    ['a string', 'ECONNREFUSED'],
    ['null', null],
    ['undefined', undefined],
  ])('does not count %s', (_name, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });

  it.each([
    ['through the query runner', new QueryRunnerAlreadyReleasedError()],
    ["through the transaction's manager", new QueryRunnerProviderAlreadyReleasedError()],
  ])("counts TypeORM's released query runner (the connection died under the transaction) %s as transient", (_how, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it('stops on a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = new Error('b', { cause: a });
    expect(isTransientDatabaseError(a)).toBe(false);
  });
});
