import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';
import { SERVICE_CALL_COLUMNS as COLUMNS, ServiceCallView, serviceCallViewFromRow as fromRow } from '@app/common/read-model';

export const viewKey = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

/** The projector's reads and writes of the service_calls read model. */
export class ServiceCallViews {
  /** The current views of the given calls, in one query; calls not yet projected are absent. */
  async load(
    manager: EntityManager,
    keys: readonly { tenantId: string; id: string }[],
  ): Promise<Map<string, ServiceCallView>> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${COLUMNS} FROM "${S}".service_calls JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) USING (tenant_id, id)`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.id)],
    );
    return new Map(
      rows.map((r) => {
        const view = fromRow(r);
        return [viewKey(view.tenantId, view.id), view];
      }),
    );
  }

  /** One upsert for many views that only moves forward: an older or equal version never overwrites a newer row. */
  async saveAll(manager: EntityManager, views: readonly ServiceCallView[]): Promise<void> {
    if (views.length === 0) return;
    const rows = views.map((v) => ({
      tenant_id: v.tenantId,
      id: v.id,
      status: v.status,
      method: v.target.method,
      url: v.target.url,
      headers: v.target.headers,
      tags: v.tags,
      due_at: v.dueAt,
      timeout_ms: v.timeoutMs,
      created_at: v.createdAt,
      updated_at: v.updatedAt,
      attempts: v.attempts,
      started_at: v.startedAt,
      finished_at: v.finishedAt,
      result: v.result,
      version: v.version,
    }));
    await manager.query(
      `INSERT INTO "${S}".service_calls (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(
         tenant_id text, id text, status text, method text, url text, headers jsonb, tags text[], due_at timestamptz, timeout_ms int,
         created_at timestamptz, updated_at timestamptz, attempts int, started_at timestamptz, finished_at timestamptz, result jsonb, version int)
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         status = EXCLUDED.status, due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at, attempts = EXCLUDED.attempts,
         started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, result = EXCLUDED.result, version = EXCLUDED.version
       WHERE service_calls.version < EXCLUDED.version`,
      [JSON.stringify(rows)],
    );
  }
}
