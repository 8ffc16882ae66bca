import { isTransientDatabaseError } from '../database/is-transient-database-error';

/**
 * Transient versus poison (DESIGN.md §9), decided by what an error is, never by counting: a
 * transient fault heals by itself (the database or broker comes back, a lock is released), so the
 * same work is retried for as long as it takes; anything else may be poison.
 */
export function isTransientFault(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if ((e as { transient?: unknown }).transient === true) return true;
    if (isTransientDatabaseError(e) || isRetriableBrokerError(e)) return true;
    e =
      (e as { driverError?: unknown; cause?: unknown; originalError?: unknown }).driverError ??
      (e as { cause?: unknown }).cause ??
      (e as { originalError?: unknown }).originalError;
  }
  return false;
}

/**
 * kafkajs marks protocol errors it would retry itself as `retriable` (coordinator loading or moving,
 * leader not available, rebalance in progress, request timeouts); connection errors have their own names.
 */
export function isRetriableBrokerError(error: unknown): boolean {
  const e = error as { name?: unknown; retriable?: unknown; type?: unknown } | null;
  if (!e || typeof e.name !== 'string' || !e.name.startsWith('KafkaJS')) return false;
  if (e.retriable === true) return true;
  if (
    [
      'KafkaJSConnectionError',
      'KafkaJSRequestTimeoutError',
      'KafkaJSConnectionClosedError',
      'KafkaJSBrokerNotFound',
      'KafkaJSLockTimeout',
      'KafkaJSStaleTopicMetadataAssignment',
      'KafkaJSNumberOfRetriesExceeded',
      'KafkaJSNoBrokerAvailableError',
      'KafkaJSGroupCoordinatorNotFound',
      'KafkaJSMetadataNotLoaded',
      'KafkaJSTopicMetadataNotLoaded',
    ].includes(e.name)
  )
    return true;
  return typeof e.type === 'string' && RETRIABLE_BROKER_TYPES.has(e.type);
}

const RETRIABLE_BROKER_TYPES = new Set([
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'REBALANCE_IN_PROGRESS',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'KAFKA_STORAGE_ERROR',
  'FETCH_SESSION_ID_NOT_FOUND',
  'UNSTABLE_OFFSET_COMMIT',
]);
