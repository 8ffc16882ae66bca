import { isUniqueViolation } from '@app/common/database';
import { ServiceCallEvent, ServiceCallEventMessage } from '@app/common/contracts';
import { EntityManager } from 'typeorm';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';
import { ConcurrencyConflictError } from './concurrency-conflict.error';

export interface ReadStreamResult {
  readonly events: ServiceCallEvent[];
  /** 0 for a stream that does not exist yet. */
  readonly version: number;
}

interface EventRow {
  type: ServiceCallEvent['type'];
  data: ServiceCallEvent['data'];
  version: number;
}

/** Append-only streams keyed (tenantId, serviceCallId); every append states the version it expects. */
export class PostgresEventStore {
  async readStream(manager: EntityManager, tenantId: string, streamId: string): Promise<ReadStreamResult> {
    const rows: EventRow[] = await manager.query(
      `SELECT type, data, version FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY version`,
      [tenantId, streamId],
    );
    return {
      events: rows.map((r) => ({ type: r.type, data: r.data }) as ServiceCallEvent),
      version: rows.length === 0 ? 0 : rows[rows.length - 1].version,
    };
  }

  /**
   * Inserts the events at expectedVersion+1.. only while the stream is at expectedVersion (one
   * statement). A stale or ahead expectedVersion inserts nothing, and a racing writer collides on
   * the unique (tenant, stream, version) key: both become a ConcurrencyConflictError.
   */
  async appendToStream(manager: EntityManager, expectedVersion: number, messages: readonly ServiceCallEventMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { tenantId, aggregateId: streamId } = messages[0];
    const values: unknown[] = [tenantId, streamId, expectedVersion];
    const rows = messages.map((m, i) => {
      if (m.version !== expectedVersion + i + 1) throw new Error(`event ${m.type} has version ${m.version}, expected ${expectedVersion + i + 1}`);
      const metadata = { messageId: m.messageId, correlationId: m.correlationId, causationId: m.causationId, schemaVersion: m.schemaVersion, timestamp: m.timestamp };
      values.push(m.version, m.messageId, m.type, JSON.stringify(m.payload), JSON.stringify(metadata));
      const p = 3 + i * 5;
      return `($1::text, $2::text, $${p + 1}::int, $${p + 2}::uuid, $${p + 3}::text, $${p + 4}::jsonb, $${p + 5}::jsonb)`;
    });
    let inserted: unknown[];
    try {
      inserted = await manager.query(
        `INSERT INTO "${S}".events (tenant_id, stream_id, version, event_id, type, data, metadata)
         SELECT * FROM (VALUES ${rows.join(', ')}) AS appended
          WHERE (SELECT COALESCE(max(version), 0) FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2) = $3::int
         RETURNING version`,
        values,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConcurrencyConflictError(streamId, expectedVersion);
      throw error;
    }
    if (inserted.length !== messages.length) throw new ConcurrencyConflictError(streamId, expectedVersion);
  }
}
