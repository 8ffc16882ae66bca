import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';
import { SERVICE_CALL_COLUMNS as COLUMNS, ServiceCallView, serviceCallViewFromRow as fromRow } from '@app/common/read-model';

/** The projector's writes to the service_calls read model. */
export class ServiceCallViews {
  async lockAndLoad(manager: EntityManager, tenantId: string, id: string): Promise<ServiceCallView | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${COLUMNS} FROM "${S}".service_calls WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, id],
    );
    return rows.length === 0 ? null : fromRow(rows[0]);
  }

  /** Upsert that only moves forward: an older or equal version never overwrites a newer row. */
  async save(manager: EntityManager, v: ServiceCallView): Promise<void> {
    await manager.query(
      `INSERT INTO "${S}".service_calls (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16)
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         status = EXCLUDED.status, due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at, attempts = EXCLUDED.attempts,
         started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, result = EXCLUDED.result, version = EXCLUDED.version
       WHERE service_calls.version < EXCLUDED.version`,
      [
        v.tenantId, v.id, v.status, v.target.method, v.target.url, JSON.stringify(v.target.headers), v.tags, v.dueAt, v.timeoutMs,
        v.createdAt, v.updatedAt, v.attempts, v.startedAt, v.finishedAt, v.result === null ? null : JSON.stringify(v.result), v.version,
      ],
    );
  }
}
