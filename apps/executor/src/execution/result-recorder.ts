import { COMMAND_SCHEMA_VERSION, newEnvelope, RecordExecutionResultPayload, TOPICS } from '@app/common/contracts';
import { namedQuery, withConnection, WriteCoalescer } from '@app/common/database';
import { isTransientFault } from '@app/common/faults';
import { backoffMs, DEFAULT_RETRY_POLICY } from '@app/common/messaging';
import { Log } from '@app/common/observability';
import { outboxCommitted, outboxInsert } from '@app/common/outbox';
import { traceContexts } from '@app/common/tracing';
import { DataSource } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';
import { AttemptOutcome, attemptKey } from './attempt-journal';

/**
 * How long the first outcome after a quiet spell waits for others to share its write. The call has
 * reached its target by then: this only delays its result (and `Succeeded`), for fewer statements,
 * outbox polls and produce requests per call at moderate load, here and in scheduler-core, which
 * takes the results in as few batches. 50 ms rather than 10: at 200 calls/s the executor's results
 * went out in 23 outbox polls a second instead of 79, for 0.46 ms less CPU per call, all processes
 * summed, and `Succeeded` 15 ms later at p50 (ADR-0013, amendment of 2026-12-07).
 */
const RESULT_LINGER_MS = 50;

/**
 * Finishes attempts in batches: outcomes that arrive within RESULT_LINGER_MS of the first, or while
 * a write is in flight, go together in the next write (one statement finishes the attempts and
 * queues their RecordExecutionResult rows).
 * A write that fails transiently is retried with the outcomes it already has, for as long as it
 * takes: a call that ran is recorded with the outcome it had.
 */
export class ResultRecorder {
  private readonly writer = new WriteCoalescer<AttemptOutcome, boolean>(
    (batch) => this.untilStored(batch),
    (error) => !isTransientFault(error),
    { lingerMs: RESULT_LINGER_MS },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: Log,
  ) {}

  /** Resolves true once stored with its outbox row, false when the attempt was already finished. */
  record(outcome: AttemptOutcome): Promise<boolean> {
    return this.writer.write(outcome);
  }

  private async untilStored(batch: readonly AttemptOutcome[]): Promise<boolean[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const recorded = await this.write(batch);
        return batch.map((o) => recorded.has(attemptKey(o.message)));
      } catch (error) {
        if (!isTransientFault(error)) throw error;
        this.log.warn(
          { outcomes: batch.length, attempt, error: error instanceof Error ? error.message : String(error) },
          'recording results failed; retrying with the same outcomes',
        );
        // The consumers' backoff: a result waits at most its cap after the database is back.
        await new Promise((r) => setTimeout(r, backoffMs(DEFAULT_RETRY_POLICY, attempt + 1)));
      }
    }
  }

  /** One statement: the attempts still unfinished are finished, and each of those gets its RecordExecutionResult outbox row. */
  private async write(outcomes: readonly AttemptOutcome[]): Promise<Set<string>> {
    const rows = outcomes.map((o) => {
      const { message, startedAt, finishedAt, result } = o;
      const payload: RecordExecutionResultPayload = {
        serviceCallId: message.payload.serviceCallId,
        attempt: message.payload.attempt,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        result,
      };
      const envelope = newEnvelope({
        type: 'RecordExecutionResult',
        tenantId: message.tenantId,
        serviceCallId: payload.serviceCallId,
        payload,
        schemaVersion: COMMAND_SCHEMA_VERSION,
        cause: message,
        timestamp: finishedAt,
      });
      return {
        tenant_id: message.tenantId,
        service_call_id: payload.serviceCallId,
        attempt: payload.attempt,
        finished_at: payload.finishedAt,
        result,
        topic: TOPICS.commands,
        message_id: envelope.messageId,
        envelope,
        traceparent: traceContexts.follow(envelope.messageId, envelope.causationId) ?? null,
      };
    });
    const updated = await withConnection(this.dataSource, (manager) =>
      namedQuery<{ tenant_id: string; service_call_id: string; attempt: number }>(manager, resultsSql(S), [
        JSON.stringify(rows),
      ]),
    );
    if (updated.length > 0) outboxCommitted(S);
    return new Set(updated.map((u) => `${u.tenant_id}\u0000${u.service_call_id}\u0000${u.attempt}`));
  }
}

/**
 * The statement that finishes a batch of attempts and queues their results (see record); exported so
 * its plan can be checked against real tables. $1 is the JSON array of the batch's rows.
 *
 * Each attempt is found by its key (the lateral lookup, kept out of the join by `OFFSET 0`) and
 * updated by its row id. As a join, the planner (expecting 100 input rows and, from the statistics,
 * a handful of unfinished attempts) hashed the input and read the whole unfinished-attempts index,
 * which holds an entry for every attempt finished since the table's last vacuum: 2,124 entries and
 * 125 heap pages for three live rows, in every statement, 20 s into a run at 50 calls/s. A row that
 * another statement finished meanwhile has a new row id and fails the recheck, as it fails
 * `finished_at IS NULL`.
 */
export function resultsSql(schema: string): string {
  return `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
           tenant_id text, service_call_id text, attempt int, finished_at timestamptz, result jsonb, topic text, message_id uuid, envelope jsonb,
           traceparent text)),
       found AS (
         SELECT i.finished_at, i.result, k.row_id FROM input i
          CROSS JOIN LATERAL (
            SELECT a.ctid AS row_id FROM "${schema}".attempts a
             WHERE a.tenant_id = i.tenant_id AND a.service_call_id = i.service_call_id AND a.attempt = i.attempt AND a.finished_at IS NULL
            OFFSET 0) k),
       finished AS (
         UPDATE "${schema}".attempts a SET finished_at = f.finished_at, result = f.result FROM found f
          WHERE a.ctid = f.row_id AND a.finished_at IS NULL
         RETURNING a.tenant_id, a.service_call_id, a.attempt),
       queued AS (
         ${outboxInsert(schema)}
         SELECT i.topic, i.service_call_id, i.message_id, i.envelope, i.traceparent FROM input i JOIN finished USING (tenant_id, service_call_id, attempt)
         RETURNING message_id)
       SELECT tenant_id, service_call_id, attempt FROM finished`;
}
