import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';
import { ServiceCallView } from './service-call-view';

const COLUMNS = `tenant_id, id, status, method, url, headers, tags, due_at, timeout_ms, created_at, updated_at, attempts, started_at, finished_at, result, version`;

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

const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

export function fromRow(r: Record<string, unknown>): ServiceCallView {
  return {
    tenantId: r.tenant_id as string,
    id: r.id as string,
    status: r.status as ServiceCallView['status'],
    target: { method: r.method as ServiceCallView['target']['method'], url: r.url as string, headers: r.headers as Record<string, string> },
    tags: r.tags as string[],
    dueAt: iso(r.due_at),
    timeoutMs: r.timeout_ms as number,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    attempts: r.attempts as number,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    result: (r.result ?? null) as ServiceCallView['result'],
    version: r.version as number,
  };
}
