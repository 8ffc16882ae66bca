import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly messageKey: string;
  readonly envelope: {
    readonly messageId: string;
    readonly type: string;
    readonly tenantId: string;
    readonly aggregateId: string;
    readonly correlationId: string;
    readonly causationId: string;
    readonly payload: Record<string, unknown>;
  };
  /** The whole row as Postgres renders it, to search for leaked secrets. */
  readonly text: string;
}

export async function outboxRows(db: DataSource): Promise<OutboxRow[]> {
  const rows: { id: string; topic: string; message_key: string; envelope: OutboxRow['envelope']; text: string }[] =
    await db.query(
      `SELECT id, topic, message_key, envelope, row_to_json(o)::text AS text FROM gateway.outbox o ORDER BY id`,
    );
  return rows.map((r) => ({ id: r.id, topic: r.topic, messageKey: r.message_key, envelope: r.envelope, text: r.text }));
}

export const countOutbox = async (db: DataSource): Promise<number> =>
  Number((await db.query(`SELECT count(*)::int AS n FROM gateway.outbox`))[0].n);

export const countIdempotencyKeys = async (db: DataSource): Promise<number> =>
  Number((await db.query(`SELECT count(*)::int AS n FROM gateway.idempotency_keys`))[0].n);

export interface ProjectedCall {
  readonly tenantId: string;
  readonly id?: string;
  readonly status: string;
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Record<string, string>;
  readonly tags?: string[];
  readonly dueAt?: string | null;
  readonly timeoutMs?: number;
  readonly createdAt: string;
  readonly updatedAt?: string;
  readonly attempts?: number;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
  readonly result?: object | null;
  readonly version?: number;
}

/** Writes a row as the projector would, straight into its read model. */
export async function insertProjectedCall(db: DataSource, call: ProjectedCall): Promise<string> {
  const id = call.id ?? randomUUID();
  await db.query(
    `INSERT INTO projector.service_calls
       (tenant_id, id, status, method, url, headers, tags, due_at, timeout_ms, created_at, updated_at, attempts, started_at, finished_at, result, version)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[], $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16)`,
    [
      call.tenantId,
      id,
      call.status,
      call.method ?? 'POST',
      call.url ?? 'https://example.com/hook',
      JSON.stringify(call.headers ?? {}),
      call.tags ?? [],
      call.dueAt ?? null,
      call.timeoutMs ?? 10_000,
      call.createdAt,
      call.updatedAt ?? call.createdAt,
      call.attempts ?? 0,
      call.startedAt ?? null,
      call.finishedAt ?? null,
      call.result === undefined || call.result === null ? null : JSON.stringify(call.result),
      call.version ?? 1,
    ],
  );
  return id;
}
