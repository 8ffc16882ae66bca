import { traceContexts } from '@app/common/tracing';
import { EntityManager } from 'typeorm';
import { StreamPlan } from '../commands/plan-command-batch';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';
import { namedQuery } from '@app/common/database';

/**
 * Keeps the timers table in step with the batch's decisions, in the same transaction: one statement to set, one to clear.
 * A timer keeps the trace context of the span that set it (found by its cause), for the DueTimeReached it fires later.
 */
export async function applyTimerChanges(manager: EntityManager, plans: readonly StreamPlan[]): Promise<void> {
  const set = plans.flatMap((p) =>
    p.timer?.kind === 'set'
      ? [
          {
            tenant_id: p.ref.tenantId,
            service_call_id: p.ref.serviceCallId,
            due_at: p.timer.dueAt,
            correlation_id: p.timer.correlationId,
            causation_id: p.timer.causationId,
            traceparent: traceContexts.traceparentOf(p.timer.causationId),
          },
        ]
      : [],
  );
  const clear = plans.filter((p) => p.timer?.kind === 'clear');
  if (set.length > 0) {
    await namedQuery(
      manager,
      `INSERT INTO "${S}".timers (tenant_id, service_call_id, due_at, correlation_id, causation_id, traceparent)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(tenant_id text, service_call_id text, due_at timestamptz, correlation_id text, causation_id text, traceparent text)
       ON CONFLICT (tenant_id, service_call_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
      [JSON.stringify(set)],
    );
  }
  if (clear.length > 0) {
    await namedQuery(
      manager,
      `DELETE FROM "${S}".timers t USING unnest($1::text[], $2::text[]) AS c(tenant_id, service_call_id)
        WHERE t.tenant_id = c.tenant_id AND t.service_call_id = c.service_call_id`,
      [clear.map((p) => p.ref.tenantId), clear.map((p) => p.ref.serviceCallId)],
    );
  }
}
