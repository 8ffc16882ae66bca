/** Socket-level failures of the connection to Postgres (Node error codes). */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);

/** What pg says when a connection dies or the pool cannot hand one out in time; these carry no code. */
const CONNECTION_ERROR_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /is not queryable/i,
];

/**
 * TypeORM's answers when the transaction's connection died under it (the database went away
 * mid-transaction: pg's `error` event makes TypeORM release the query runner). The next statement
 * fails with the first through the query runner, with the second through the transaction's manager.
 */
const RELEASED_RUNNER_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

/**
 * SQLSTATEs that say "try again later", not "this request is wrong": class 08 (connection
 * exception), 57P01–57P03 and 57P05 (shutdown, crash, cannot connect now, idle session timeout;
 * 57P04 "database dropped" is permanent), class 53 (insufficient resources, e.g. too many
 * connections), and the two that a retry of the same transaction resolves (40001 serialization
 * failure, 40P01 deadlock).
 */
function isTransientSqlState(code: string): boolean {
  return code.startsWith('08') || /^57P0[1235]$/.test(code) || code.startsWith('53') || code === '40001' || code === '40P01';
}

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly driverError?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/**
 * True when a database error is worth retrying unchanged: the database is unreachable, the
 * connection broke, it is out of resources, or it aborted the transaction for concurrency.
 * Looks through TypeORM's QueryFailedError (`driverError`), `cause` chains and AggregateError.
 */
export function isTransientDatabaseError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const e = error as ErrorLike;
  if (typeof e.name === 'string' && RELEASED_RUNNER_ERRORS.has(e.name)) return true;
  if (
    typeof e.code === 'string' &&
    (CONNECTION_ERROR_CODES.has(e.code) || (/^[0-9A-Z]{5}$/.test(e.code) && isTransientSqlState(e.code)))
  )
    return true;
  if (
    typeof e.message === 'string' &&
    typeof e.code !== 'string' &&
    CONNECTION_ERROR_MESSAGES.some((m) => m.test(e.message as string))
  )
    return true;
  const nested = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  return nested.some((inner) => inner !== error && isTransientDatabaseError(inner, depth + 1));
}
