import { SERVICE_CALL_COLUMNS as COLUMNS, ServiceCallView } from './service-call-view';

/** A view as a row of the read-model table (the inverse of serviceCallViewFromRow). */
export function serviceCallRowOf(v: ServiceCallView): Record<string, unknown> {
  return {
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
  };
}

/**
 * One multi-row upsert into a table shaped like projector.service_calls that only moves a view
 * forward by version. $1 is the JSON array of serviceCallRowOf rows. The projector and the rebuild share it.
 */
export const upsertServiceCallsSql = (qualifiedTable: string): string =>
  `INSERT INTO ${qualifiedTable} AS t (${COLUMNS})
   SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(
     tenant_id text, id text, status text, method text, url text, headers jsonb, tags text[], due_at timestamptz, timeout_ms int,
     created_at timestamptz, updated_at timestamptz, attempts int, started_at timestamptz, finished_at timestamptz, result jsonb, version int)
   ON CONFLICT (tenant_id, id) DO UPDATE SET
     status = EXCLUDED.status, due_at = EXCLUDED.due_at, updated_at = EXCLUDED.updated_at, attempts = EXCLUDED.attempts,
     started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, result = EXCLUDED.result, version = EXCLUDED.version
   WHERE t.version < EXCLUDED.version`;
