/**
 * Transient versus poison (DESIGN.md §9), decided by what an error is, never by counting: a
 * transient fault heals by itself (the database or broker comes back, a lock is released), so the
 * same work is retried for as long as it takes; anything else may be poison.
 */
export function isTransientFault(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if ((e as { transient?: unknown }).transient === true) return true;
    if (isTransientDatabaseError(e) || isTransientNetworkError(e) || isRetriableBrokerError(e)) return true;
    e = (e as { driverError?: unknown; cause?: unknown; originalError?: unknown }).driverError
      ?? (e as { cause?: unknown }).cause
      ?? (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/**
 * Postgres SQLSTATE classes that say "try again": 08 connection exception, 40 transaction rollback
 * (serialization failure, deadlock), 53 insufficient resources, 57P operator intervention (shutdown,
 * cannot connect now), plus the pool's and driver's own connection failures.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(08|40|53|57P)/.test(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Connection is not established|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|terminating connection/i.test(message);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED', 'ENOTCONN']);

export function isTransientNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/**
 * kafkajs marks protocol errors it would retry itself as `retriable` (coordinator loading or moving,
 * leader not available, rebalance in progress, request timeouts); connection errors have their own names.
 */
export function isRetriableBrokerError(error: unknown): boolean {
  const e = error as { name?: unknown; retriable?: unknown; type?: unknown } | null;
  if (!e || typeof e.name !== 'string' || !e.name.startsWith('KafkaJS')) return false;
  if (e.retriable === true) return true;
  if (['KafkaJSConnectionError', 'KafkaJSRequestTimeoutError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound', 'KafkaJSLockTimeout', 'KafkaJSStaleTopicMetadataAssignment', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSNoBrokerAvailableError', 'KafkaJSGroupCoordinatorNotFound', 'KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded'].includes(e.name)) return true;
  return typeof e.type === 'string' && RETRIABLE_BROKER_TYPES.has(e.type);
}

const RETRIABLE_BROKER_TYPES = new Set([
  'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'REBALANCE_IN_PROGRESS', 'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION', 'NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'UNKNOWN_TOPIC_OR_PARTITION', 'KAFKA_STORAGE_ERROR', 'FETCH_SESSION_ID_NOT_FOUND', 'UNSTABLE_OFFSET_COMMIT',
]);
