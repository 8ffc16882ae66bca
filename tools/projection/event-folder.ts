import { ClientBase } from 'pg';
import { ServiceCallView } from '@app/common/read-model';
import { projectServiceCall } from '../../apps/projector/src/service-calls/project-service-call';
import { eventMessageFromRow, StoredEventRow } from './event-messages';
import { ViewTable, viewKey } from './view-table';

const EVENTS = 'scheduler_core.events';
const CACHE_LIMIT = 100_000;
const FLUSH_AT = 20_000;

/**
 * Folds events from the event store, in global_position order and in pages, into a view table.
 * Views stay in memory (this folder is the table's only writer, so the copy is exact) and are
 * written behind, once per many pages: a stream whose events span pages is written once rather
 * than once per page, and read back from the table only after eviction.
 */
export class EventFolder {
  private readonly cache = new Map<string, ServiceCallView>();
  private readonly dirty = new Set<string>();
  /** Views this folder created (streams seen from their first event). */
  created = 0;

  constructor(
    private readonly table: ViewTable,
    private readonly pageSize: number,
  ) {}

  /** Applies every event with after < global_position <= upTo (no upper bound when upTo is null); returns how many. */
  async apply(client: ClientBase, after: bigint, upTo: bigint | null): Promise<{ events: number; last: bigint }> {
    let cursor = after;
    let events = 0;
    for (;;) {
      const { rows }: { rows: StoredEventRow[] } = await client.query(
        // Ordered by the bigint column itself (e.), not by the text copy of it the rows carry.
        `SELECT e.global_position::text AS position, e.tenant_id, e.stream_id, e.version, e.type, e.data, e.metadata FROM ${EVENTS} e
          WHERE e.global_position > $1 AND ($2::bigint IS NULL OR e.global_position <= $2)
          ORDER BY e.global_position LIMIT $3`,
        [cursor.toString(), upTo === null ? null : upTo.toString(), this.pageSize],
      );
      if (rows.length > 0) {
        await this.foldPage(client, rows);
        events += rows.length;
        cursor = BigInt(rows[rows.length - 1].position);
      }
      if (rows.length < this.pageSize) {
        await this.flush(client);
        return { events, last: cursor };
      }
    }
  }

  /** Drops the in-memory copy (after a rollback of writes it mirrored). */
  forget(): void {
    this.cache.clear();
    this.dirty.clear();
  }

  private async flush(client: ClientBase): Promise<void> {
    if (this.dirty.size === 0) return;
    await this.table.saveAll(
      client,
      [...this.dirty].map((key) => this.cache.get(key)!),
    );
    this.dirty.clear();
  }

  private async foldPage(client: ClientBase, rows: readonly StoredEventRow[]): Promise<void> {
    const missing = new Map<string, { tenantId: string; id: string }>();
    for (const r of rows) {
      const key = viewKey(r.tenant_id, r.stream_id);
      if (!this.cache.has(key)) missing.set(key, { tenantId: r.tenant_id, id: r.stream_id });
    }
    const loaded = await this.table.load(client, [...missing.values()]);
    for (const [key, view] of loaded) this.cache.set(key, view);
    for (const row of rows) {
      const key = viewKey(row.tenant_id, row.stream_id);
      const before = this.cache.get(key) ?? null;
      const message = eventMessageFromRow(row);
      let after: ServiceCallView | null;
      try {
        after = projectServiceCall(before, message);
      } catch (error) {
        throw new Error(
          `event ${row.position} (${row.type} v${row.version} of ${row.tenant_id}/${row.stream_id}) cannot be projected: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (after && after !== before) {
        if (before === null) this.created += 1;
        this.cache.set(key, after);
        this.dirty.add(key);
      }
    }
    if (this.dirty.size >= FLUSH_AT) await this.flush(client);
    if (this.cache.size > CACHE_LIMIT) {
      await this.flush(client);
      this.cache.clear();
    }
  }
}
