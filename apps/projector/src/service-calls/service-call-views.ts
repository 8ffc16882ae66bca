import { EntityManager } from 'typeorm';
import { PROJECTOR_SCHEMA as S } from '../projector.schema';
import { namedQuery } from '@app/common/database';
import { advanceCheckpointsSql, CheckpointPosition, checkpointValues } from './projection-checkpoints';
import {
  SERVICE_CALL_COLUMNS as COLUMNS,
  serviceCallRowOf,
  ServiceCallView,
  serviceCallViewFromRow as fromRow,
  upsertServiceCallsSql,
} from '@app/common/read-model';

export const saveViewsSql = (schema: string): string =>
  `WITH checkpoint AS (${advanceCheckpointsSql(schema, 2)})
   ${upsertServiceCallsSql(`"${schema}".service_calls`)} RETURNING tenant_id, id`;

const SAVE = saveViewsSql(S);

/**
 * The views of the given keys, each looked up by primary key. A plain join is planned for the 100
 * rows Postgres assumes an array parameter holds, and scanned the whole table for every batch while
 * it held up to a few thousand calls (670 scans in the first 40 s of a run at 100 calls/s).
 */
export const loadViewsSql = (schema: string): string =>
  `SELECT v.* FROM unnest($1::text[], $2::text[]) AS k(tenant_id, id)
     CROSS JOIN LATERAL (
       SELECT ${COLUMNS} FROM "${schema}".service_calls t WHERE t.tenant_id = k.tenant_id AND t.id = k.id LIMIT 1) v`;

const LOAD = loadViewsSql(S);

export const viewKey = (tenantId: string, id: string): string => `${tenantId}\u0000${id}`;

/** The projector's reads and writes of the service_calls read model. */
export class ServiceCallViews {
  /** The current views of the given calls, in one query; calls not yet projected are absent. */
  async load(
    manager: EntityManager,
    keys: readonly { tenantId: string; id: string }[],
  ): Promise<Map<string, ServiceCallView>> {
    const rows = await namedQuery(manager, LOAD, [keys.map((k) => k.tenantId), keys.map((k) => k.id)]);
    return new Map(
      rows.map((r) => {
        const view = fromRow(r);
        return [viewKey(view.tenantId, view.id), view];
      }),
    );
  }

  /**
   * One statement for a batch: the upsert of the views that moved, which only moves forward (an
   * older or equal version never overwrites a newer row), and the checkpoint of each partition. Being one
   * statement, it commits both or neither without a transaction around it. Returns the keys of the
   * rows it wrote: a view the table already had at its version or newer is not among them.
   */
  async saveWithCheckpoint(
    manager: EntityManager,
    views: readonly ServiceCallView[],
    projection: string,
    positions: readonly CheckpointPosition[],
  ): Promise<Set<string>> {
    const written = await namedQuery<{ tenant_id: string; id: string }>(manager, SAVE, [
      JSON.stringify(views.map(serviceCallRowOf)),
      ...checkpointValues(projection, positions),
    ]);
    return new Set(written.map((r) => viewKey(r.tenant_id, r.id)));
  }
}
