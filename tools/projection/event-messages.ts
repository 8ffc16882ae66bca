import { ServiceCallEventMessage } from '@app/common/contracts';

/** A row of scheduler_core.events as the rebuild reads it. */
export interface StoredEventRow {
  /** global_position, as text (a bigint). */
  readonly position: string;
  readonly tenant_id: string;
  readonly stream_id: string;
  readonly version: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: {
    messageId: string;
    correlationId: string;
    causationId: string;
    schemaVersion: number;
    timestamp: string;
  };
}

/** The event as it travelled on scheduler.events.v1 (the event store keeps the envelope's fields in metadata). */
export function eventMessageFromRow(row: StoredEventRow): ServiceCallEventMessage {
  const m = row.metadata;
  return {
    messageId: m.messageId,
    tenantId: row.tenant_id,
    aggregateType: 'ServiceCall',
    aggregateId: row.stream_id,
    type: row.type,
    schemaVersion: m.schemaVersion,
    timestamp: m.timestamp,
    correlationId: m.correlationId,
    causationId: m.causationId,
    version: row.version,
    payload: row.data,
  } as ServiceCallEventMessage;
}
