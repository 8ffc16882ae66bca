import { ClientBase } from 'pg';
import {
  SERVICE_CALL_COLUMNS as COLUMNS,
  serviceCallRowOf,
  ServiceCallView,
  serviceCallViewFromRow,
  upsertServiceCallsSql,
} from '@app/common/read-model';

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
    await client.query(upsertServiceCallsSql(this.qualifiedName), [JSON.stringify(views.map(serviceCallRowOf))]);
  }
}
