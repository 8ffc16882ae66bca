import { ExecuteServiceCall, ExecutionResult } from '@app/common/contracts';
import { namedQuery, withConnection, WriteCoalescer } from '@app/common/database';
import { isTransientFault } from '@app/common/faults';
import { DataSource, EntityManager } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';

export type AttemptStart =
  | { readonly kind: 'started'; readonly startedAt: Date }
  /** Begun before and not finished: by another process (or this one before a restart) that may still be calling out. */
  | { readonly kind: 'unfinished'; readonly startedAt: Date; readonly ownedHere: boolean }
  | { readonly kind: 'finished' };

export interface AttemptOutcome {
  readonly message: ExecuteServiceCall;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly result: ExecutionResult;
}

export const attemptKey = (m: ExecuteServiceCall): string =>
  `${m.tenantId}\u0000${m.payload.serviceCallId}\u0000${m.payload.attempt}`;

interface AttemptRow {
  tenant_id: string;
  service_call_id: string;
  attempt: number;
  started_at: Date;
  finished_at: Date | null;
  executor_instance: string | null;
}

interface Beginning {
  readonly message: ExecuteServiceCall;
  readonly now: Date;
}

/**
 * The executor's record of attempts: an attempt is begun just before its call goes out, so a row
 * without a result is a call that may have left; it is finished together with the outbox row.
 */
export class AttemptJournal {
  /** Attempts begun in the same turn, or while a write is out, share one statement. */
  private readonly beginnings = new WriteCoalescer<Beginning, AttemptStart | undefined>(
    (batch) => this.beginAll(batch),
    (error) => !isTransientFault(error),
    { gatherTurn: true },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly instance: string,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Begins the attempt as this process's, or says how it was begun before. */
  async begin(message: ExecuteServiceCall, now: Date): Promise<AttemptStart> {
    const start = await this.beginnings.write({ message, now });
    if (!start)
      throw new Error(`attempt ${message.payload.attempt} of ${message.payload.serviceCallId} was neither begun nor found`);
    return start;
  }

  /** One statement begins every attempt of the batch; attempts begun before are looked up in a second. */
  private async beginAll(batch: readonly Beginning[]): Promise<(AttemptStart | undefined)[]> {
    const rows = batch.map(({ message: m, now }) => ({
      tenant_id: m.tenantId,
      service_call_id: m.payload.serviceCallId,
      attempt: m.payload.attempt,
      execution_message_id: m.messageId,
      correlation_id: m.correlationId,
      started_at: now.toISOString(),
      executor_instance: this.instance,
      timeout_ms: m.payload.timeoutMs,
    }));
    const inserted = await withConnection(this.dataSource, (manager) =>
      namedQuery<AttemptRow>(
        manager,
        `INSERT INTO "${S}".attempts (tenant_id, service_call_id, attempt, execution_message_id, correlation_id, started_at, executor_instance, timeout_ms)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, service_call_id text, attempt int, execution_message_id text,
         correlation_id text, started_at timestamptz, executor_instance text, timeout_ms int)
       ON CONFLICT DO NOTHING RETURNING tenant_id, service_call_id, attempt`,
        [JSON.stringify(rows)],
      ),
    );
    // Each inserted row starts one item; the same attempt twice in a write is started once, the other finds it begun.
    const begun = new Set(inserted.map(rowKey));
    const starts: (AttemptStart | undefined)[] = batch.map(({ message, now }) =>
      begun.delete(attemptKey(message)) ? { kind: 'started', startedAt: now } : undefined,
    );
    const earlier = batch.map((b) => b.message).filter((_, i) => !starts[i]);
    if (earlier.length === 0) return starts;
    const found = await this.lookUp(this.dataSource.manager, earlier);
    return batch.map((b, i) => starts[i] ?? found.get(attemptKey(b.message)));
  }

  async lookUp(manager: EntityManager, messages: readonly ExecuteServiceCall[]): Promise<Map<string, AttemptStart>> {
    const found: AttemptRow[] = await manager.query(
      `SELECT a.tenant_id, a.service_call_id, a.attempt, a.started_at, a.finished_at, a.executor_instance FROM "${S}".attempts a
         JOIN unnest($1::text[], $2::text[], $3::int[]) AS k(tenant_id, service_call_id, attempt) USING (tenant_id, service_call_id, attempt)`,
      [
        messages.map((m) => m.tenantId),
        messages.map((m) => m.payload.serviceCallId),
        messages.map((m) => m.payload.attempt),
      ],
    );
    return new Map(
      found.map((r) => [
        rowKey(r),
        r.finished_at
          ? { kind: 'finished' as const }
          : {
              kind: 'unfinished' as const,
              startedAt: new Date(r.started_at),
              ownedHere: r.executor_instance === this.instance,
            },
      ]),
    );
  }
}

const rowKey = (r: Pick<AttemptRow, 'tenant_id' | 'service_call_id' | 'attempt'>): string =>
  `${r.tenant_id}\u0000${r.service_call_id}\u0000${r.attempt}`;
