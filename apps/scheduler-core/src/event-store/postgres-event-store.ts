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
   * Inserts the events at expectedVersion+1.., which the unique (tenant, stream, version) key turns
   * into an optimistic lock: a stale expectedVersion collides and becomes a ConcurrencyConflictError.
   */
  async appendToStream(manager: EntityManager, expectedVersion: number, messages: readonly ServiceCallEventMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { tenantId, aggregateId: streamId } = messages[0];
    const values: unknown[] = [];
    const rows = messages.map((m, i) => {
      if (m.version !== expectedVersion + i + 1) throw new Error(`event ${m.type} has version ${m.version}, expected ${expectedVersion + i + 1}`);
      const metadata = { messageId: m.messageId, correlationId: m.correlationId, causationId: m.causationId, schemaVersion: m.schemaVersion, timestamp: m.timestamp };
      values.push(tenantId, streamId, m.version, m.messageId, m.type, JSON.stringify(m.payload), JSON.stringify(metadata));
      const p = i * 7;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::jsonb)`;
    });
    const [{ current }]: { current: number }[] = await manager.query(
      `SELECT COALESCE(max(version), 0)::int AS current FROM "${S}".events WHERE tenant_id = $1 AND stream_id = $2`,
      [tenantId, streamId],
    );
    // Behind is caught here or by the unique key (a racing writer); ahead would leave a gap.
    if (current !== expectedVersion) throw new ConcurrencyConflictError(streamId, expectedVersion);
    try {
      await manager.query(
        `INSERT INTO "${S}".events (tenant_id, stream_id, version, event_id, type, data, metadata) VALUES ${rows.join(', ')}`,
        values,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConcurrencyConflictError(streamId, expectedVersion);
      throw error;
    }
  }
}
