import { ClientBase } from 'pg';
import { SERVICE_CALL_COLUMNS as COLUMNS, ServiceCallView, serviceCallViewFromRow } from '@app/common/read-model';

export const viewKey = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

/** Reads and writes views in a table shaped like projector.service_calls (the rebuild's own table). */
export class ViewTable {
  constructor(private readonly qualifiedName: string) {}

  async load(client: ClientBase, keys: readonly { tenantId: string; id: string }[]): Promise<Map<string, ServiceCallView>> {
    if (keys.length === 0) return new Map();
    const { rows } = await client.query(
      `SELECT ${COLUMNS} FROM ${this.qualifiedName} JOIN unnest($1::text[], $2::text[]) AS k(tenant_id, id) USING (tenant_id, id)`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.id)],
    );
    return new Map(
      rows.map((r: Record<string, unknown>) => {
        const view = serviceCallViewFromRow(r);
        return [viewKey(view.tenantId, view.id), view];
      }),
    );
  }

  /** One multi-row upsert that only moves a view forward by version, like the projector's own. */
  async saveAll(client: ClientBase, views: readonly ServiceCallView[]): Promise<void> {
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
    await client.query(
      `INSERT INTO ${this.qualifiedName} AS t (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(
         tenant_id text, id text, status text, method text, url text, headers jsonb, tags text[], due_at timestamptz, timeout_ms int,
         created_at timestamptz, updated_at timestamptz, attempts int, started_at timestamptz, finished_at timestamptz, result jsonb, version int)
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         status = EXCLUDED.status, due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at, attempts = EXCLUDED.attempts,
         started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, result = EXCLUDED.result, version = EXCLUDED.version
       WHERE t.version < EXCLUDED.version`,
      [JSON.stringify(rows)],
    );
  }
}
