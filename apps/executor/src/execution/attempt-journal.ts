import { COMMAND_SCHEMA_VERSION, ExecuteServiceCall, ExecutionResult, newEnvelope, RecordExecutionResultPayload, TOPICS } from '@app/common/contracts';
import { returnedRows } from '@app/common/database';
import { appendToOutbox } from '@app/common/outbox';
import { DataSource } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';

export type AttemptStart =
  | { readonly kind: 'started'; readonly startedAt: Date }
  /** Recorded before and never finished: the process died mid-call, so calling again could run it twice. */
  | { readonly kind: 'interrupted'; readonly startedAt: Date }
  | { readonly kind: 'finished' };

/** The executor's record of attempts: begun before calling out, finished together with the outbox row. */
export class AttemptJournal {
  constructor(private readonly dataSource: DataSource) {}

  async begin(message: ExecuteServiceCall, now: Date): Promise<AttemptStart> {
    const { tenantId, payload } = message;
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO "${S}".attempts (tenant_id, service_call_id, attempt, execution_message_id, correlation_id, started_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING attempt`,
      [tenantId, payload.serviceCallId, payload.attempt, message.messageId, message.correlationId, now],
    );
    if (inserted.length === 1) return { kind: 'started', startedAt: now };
    const [row]: { started_at: Date; finished_at: Date | null }[] = await this.dataSource.query(
      `SELECT started_at, finished_at FROM "${S}".attempts WHERE tenant_id = $1 AND service_call_id = $2 AND attempt = $3`,
      [tenantId, payload.serviceCallId, payload.attempt],
    );
    return row.finished_at ? { kind: 'finished' } : { kind: 'interrupted', startedAt: new Date(row.started_at) };
  }

  /** Stores the outcome and queues RecordExecutionResult atomically; a second finish changes nothing. */
  async finish(message: ExecuteServiceCall, startedAt: Date, finishedAt: Date, result: ExecutionResult): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const { tenantId, payload } = message;
      const updated = returnedRows(await manager.query(
        `UPDATE "${S}".attempts SET finished_at = $4, result = $5::jsonb
          WHERE tenant_id = $1 AND service_call_id = $2 AND attempt = $3 AND finished_at IS NULL RETURNING attempt`,
        [tenantId, payload.serviceCallId, payload.attempt, finishedAt, JSON.stringify(result)],
      ));
      if (updated.length === 0) return false;
      const record: RecordExecutionResultPayload = {
        serviceCallId: payload.serviceCallId,
        attempt: payload.attempt,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        result,
      };
      await appendToOutbox(manager, S, [{
        topic: TOPICS.commands,
        envelope: newEnvelope({
          type: 'RecordExecutionResult', tenantId, serviceCallId: payload.serviceCallId, payload: record,
          schemaVersion: COMMAND_SCHEMA_VERSION, cause: message, timestamp: finishedAt,
        }),
      }]);
      return true;
    });
  }
}
