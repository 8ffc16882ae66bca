import { COMMAND_SCHEMA_VERSION, newEnvelope, RecordExecutionResultPayload, TOPICS } from '@app/common/contracts';
import { returnedRows, WriteCoalescer } from '@app/common/database';
import { isTransientFault } from '@app/common/faults';
import { Log } from '@app/common/observability';
import { appendToOutbox } from '@app/common/outbox';
import { DataSource, EntityManager } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';
import { AttemptOutcome, attemptKey } from './attempt-journal';

const MAX_BACKOFF_MS = 30_000;

/**
 * Finishes attempts in batches: outcomes that arrive while a write is in flight go together in the
 * next transaction (one UPDATE for the attempts, one INSERT for their RecordExecutionResult rows).
 * A write that fails transiently is retried with the outcomes it already has, for as long as it
 * takes: a call that ran is recorded with the outcome it had.
 */
export class ResultRecorder {
  private readonly writer = new WriteCoalescer<AttemptOutcome, boolean>((batch) => this.untilStored(batch), (error) => !isTransientFault(error));

  constructor(private readonly dataSource: DataSource, private readonly log: Log) {}

  /** Resolves true once stored with its outbox row, false when the attempt was already finished. */
  record(outcome: AttemptOutcome): Promise<boolean> {
    return this.writer.write(outcome);
  }

  private async untilStored(batch: readonly AttemptOutcome[]): Promise<boolean[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await this.dataSource.transaction((manager) => this.write(manager, batch));
        return batch.map((o) => recorded.has(attemptKey(o.message)));
      } catch (error) {
        if (!isTransientFault(error)) throw error;
        this.log.warn({ outcomes: batch.length, attempt, error: error instanceof Error ? error.message : String(error) }, 'recording results failed; retrying with the same outcomes');
        await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 10))));
      }
    }
  }

  private async write(manager: EntityManager, outcomes: readonly AttemptOutcome[]): Promise<Set<string>> {
    const rows = outcomes.map((o) => ({
      tenant_id: o.message.tenantId, service_call_id: o.message.payload.serviceCallId, attempt: o.message.payload.attempt,
      finished_at: o.finishedAt.toISOString(), result: o.result,
    }));
    const updated = returnedRows<{ tenant_id: string; service_call_id: string; attempt: number }>(await manager.query(
      `UPDATE "${S}".attempts a SET finished_at = r.finished_at, result = r.result
         FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, service_call_id text, attempt int, finished_at timestamptz, result jsonb)
        WHERE a.tenant_id = r.tenant_id AND a.service_call_id = r.service_call_id AND a.attempt = r.attempt AND a.finished_at IS NULL
       RETURNING a.tenant_id, a.service_call_id, a.attempt`,
      [JSON.stringify(rows)],
    ));
    const recorded = new Set(updated.map((u) => `${u.tenant_id}\u0000${u.service_call_id}\u0000${u.attempt}`));
    await appendToOutbox(manager, S, outcomes.filter((o) => recorded.has(attemptKey(o.message))).map((o) => {
      const { message, startedAt, finishedAt, result } = o;
      const payload: RecordExecutionResultPayload = {
        serviceCallId: message.payload.serviceCallId, attempt: message.payload.attempt,
        startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), result,
      };
      return {
        topic: TOPICS.commands,
        envelope: newEnvelope({
          type: 'RecordExecutionResult', tenantId: message.tenantId, serviceCallId: payload.serviceCallId, payload,
          schemaVersion: COMMAND_SCHEMA_VERSION, cause: message, timestamp: finishedAt,
        }),
      };
    }));
    return recorded;
  }
}
