import { Client } from 'pg';
import { EventFolder } from './event-folder';
import { settledHorizon } from './settled-horizon';
import { planSwap } from './table-swap';
import { ViewTable } from './view-table';

const LIVE = 'service_calls';
const FRESH = 'service_calls_rebuild';
const LOCK_KEY = 'projection-rebuild:projector.service_calls';

export interface RebuildOptions {
  readonly pageSize: number;
  readonly keepOld: boolean;
  /** How long the swap waits for the live table's lock before trying again (the projector's and gateway's statements queue behind it meanwhile). */
  readonly lockTimeoutMs: number;
  /** How long to wait for transactions open since a round began (see settledHorizon). */
  readonly settleTimeoutMs: number;
  readonly progress: (line: string) => void;
  readonly now?: () => Date;
}

export interface RebuildFigures {
  readonly events: number;
  readonly streams: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** Catch-up rounds before the swap (the first one is the bulk of the work). */
  readonly rounds: number;
  /** Events applied inside the swap transaction, while the live table was locked. */
  readonly eventsWhileLocked: number;
  readonly lockHeldMs: number;
  /** The old live table when kept (--keep-old), else null (dropped). */
  readonly keptOldTable: string | null;
}

/**
 * Rebuilds projector.service_calls from scheduler_core.events into a fresh table while the projector
 * keeps writing the live one, then swaps the fresh table in (docs/decisions/ADR-0011-projection-rebuild.md).
 */
export async function rebuildReadModel(client: Client, options: RebuildOptions): Promise<RebuildFigures> {
  const started = performance.now();
  const {
    rows: [{ locked }],
  } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [LOCK_KEY]);
  if (!locked) throw new Error('another projection rebuild is running on this database');
  try {
    await client.query(`DROP TABLE IF EXISTS projector.${FRESH}`);
    await client.query(`CREATE TABLE projector.${FRESH} (LIKE projector.${LIVE} INCLUDING ALL)`);
    const folder = new EventFolder(new ViewTable(`projector.${FRESH}`), options.pageSize);
    try {
      let cursor = 0n;
      let events = 0;
      let rounds = 0;
      // Catch up without the lock until a round brings little, so the locked part stays short.
      for (;;) {
        rounds += 1;
        const horizon = await settledHorizon(client, { timeoutMs: options.settleTimeoutMs, onWait: () => undefined });
        const round = await folder.apply(client, cursor, horizon);
        cursor = horizon;
        events += round.events;
        options.progress(
          `round ${rounds}: ${round.events} events up to position ${horizon} (${Math.round((performance.now() - started) / 1000)} s)`,
        );
        if (round.events <= Math.max(100, options.pageSize / 10) || rounds >= 20) break;
      }
      const swap = await swapIn(client, folder, cursor, options);
      events += swap.events;
      const seconds = (performance.now() - started) / 1000;
      return {
        events,
        streams: swap.streams,
        seconds,
        eventsPerSecond: seconds > 0 ? events / seconds : 0,
        rounds,
        eventsWhileLocked: swap.events,
        lockHeldMs: swap.lockHeldMs,
        keptOldTable: options.keepOld ? swap.oldTable : null,
      };
    } catch (error) {
      await client.query(`DROP TABLE IF EXISTS projector.${FRESH}`).catch(() => undefined);
      throw error;
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [LOCK_KEY]).catch(() => undefined);
  }
}

/**
 * One transaction: lock the live table (the projector's writes and the gateway's reads wait), apply
 * every event after the settled cursor (complete for this snapshot; anything committed later is
 * still ahead of the projector, which will write it into the new table), swap, commit.
 */
async function swapIn(client: Client, folder: EventFolder, cursor: bigint, options: RebuildOptions) {
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; ; attempt++) {
    const plan = await planSwap(client, LIVE, FRESH, stamp(now()));
    const createdBefore = folder.created;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
      await client.query(`LOCK TABLE projector.${LIVE} IN ACCESS EXCLUSIVE MODE`);
      const lockedAt = performance.now();
      const { events } = await folder.apply(client, cursor, null);
      const streams = folder.created;
      await client.query(plan.sql);
      await client.query('COMMIT');
      const lockHeldMs = performance.now() - lockedAt;
      if (!options.keepOld) await client.query(`DROP TABLE projector."${plan.oldTable}"`);
      return { events, streams, lockHeldMs, oldTable: plan.oldTable };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // What the rolled-back transaction wrote is gone: the folder must not trust its copy of it.
      folder.forget();
      folder.created = createdBefore;
      const lockTimedOut = (error as { code?: string }).code === '55P03';
      if (!lockTimedOut || attempt >= 5) throw error;
      options.progress(`the live table stayed busy for ${options.lockTimeoutMs} ms; trying the swap again (${attempt})`);
    }
  }
}

const stamp = (at: Date) =>
  at
    .toISOString()
    .replace(/[-:T.Z]/g, '')
    .slice(0, 17);
