import { ClientBase } from 'pg';
import { SERVICE_CALL_COLUMNS, serviceCallRowOf, ServiceCallView, serviceCallViewFromRow } from '@app/common/read-model';
import { projectServiceCall } from '../../apps/projector/src/service-calls/project-service-call';

/** The read model as the projector should hold it: every stream of the event store folded with the projection, read back through the row mapping. */
export async function foldedEventStore(db: ClientBase): Promise<ServiceCallView[]> {
  const { rows } = await db.query(
    `SELECT tenant_id, stream_id, version, type, data, metadata FROM scheduler_core.events ORDER BY tenant_id, stream_id, version`,
  );
  const views = new Map<string, ServiceCallView | null>();
  for (const r of rows) {
    const key = `${r.tenant_id}/${r.stream_id}`;
    const message = {
      ...r.metadata,
      tenantId: r.tenant_id,
      aggregateType: 'ServiceCall',
      aggregateId: r.stream_id,
      type: r.type,
      version: r.version,
      payload: r.data,
    };
    views.set(key, projectServiceCall(views.get(key) ?? null, message));
  }
  return [...views.values()]
    .filter((v): v is ServiceCallView => v !== null)
    .map((v) => serviceCallViewFromRow(serviceCallRowOf(v)))
    .sort((a, b) => (a.tenantId === b.tenantId ? cmp(a.id, b.id) : cmp(a.tenantId, b.tenantId)));
}

/** Every row of a read-model table, every column, in (tenant_id, id) order. */
export async function readModelRows(db: ClientBase, table = 'projector.service_calls'): Promise<ServiceCallView[]> {
  const { rows } = await db.query(
    `SELECT ${SERVICE_CALL_COLUMNS} FROM ${table} ORDER BY tenant_id COLLATE "C", id COLLATE "C"`,
  );
  return rows.map(serviceCallViewFromRow);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
