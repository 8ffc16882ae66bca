import { ClientBase } from 'pg';

/**
 * The highest global_position below which the event store will never gain another row.
 *
 * global_position comes from a sequence, so a transaction can commit a lower position after a
 * higher one is already visible. Take H = the highest visible position first, then the virtual
 * transaction ids of every transaction open in this database: every position <= H was drawn before
 * that moment, by a transaction that has either ended or is in that list. Once all of those have
 * ended (as CREATE INDEX CONCURRENTLY waits), every position <= H is committed or gone for good.
 */
export async function settledHorizon(
  client: ClientBase,
  options: { timeoutMs: number; onWait?: (open: number) => void },
): Promise<bigint> {
  const {
    rows: [{ horizon }],
  } = await client.query<{ horizon: string }>(
    `SELECT COALESCE(max(global_position), 0)::text AS horizon FROM scheduler_core.events`,
  );
  const { rows } = await client.query<{ virtualxid: string }>(
    `SELECT l.virtualxid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid() AND a.datname = current_database()`,
  );
  let open: string[] = rows.map((r: { virtualxid: string }) => r.virtualxid);
  const deadline = Date.now() + options.timeoutMs;
  while (open.length > 0) {
    const { rows: still } = await client.query<{ virtualxid: string }>(
      `SELECT virtualxid FROM pg_locks WHERE locktype = 'virtualxid' AND granted AND virtualxid = ANY($1::text[])`,
      [open],
    );
    open = still.map((r: { virtualxid: string }) => r.virtualxid);
    if (open.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(
        `${open.length} transaction(s) open since the rebuild began are still open after ${options.timeoutMs} ms (see pg_stat_activity)`,
      );
    options.onWait?.(open.length);
    await new Promise((r) => setTimeout(r, 20));
  }
  return BigInt(horizon);
}
