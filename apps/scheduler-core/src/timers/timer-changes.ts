import { ServiceCallEventMessage } from '@app/common/contracts';
import { EntityManager } from 'typeorm';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';

/**
 * Keeps the timers table in step with the events just appended, in the same transaction.
 * Only a call that was Scheduled can have a timer to remove.
 */
export async function applyTimerChanges(manager: EntityManager, messages: readonly ServiceCallEventMessage[], wasScheduled: boolean): Promise<void> {
  for (const m of messages) {
    if (m.type === 'ServiceCallScheduled') {
      const { dueAt } = m.payload as { dueAt: string };
      await manager.query(
        `INSERT INTO "${S}".timers (tenant_id, service_call_id, due_at, correlation_id, causation_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, service_call_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
        [m.tenantId, m.aggregateId, dueAt, m.correlationId, m.messageId],
      );
    } else if (wasScheduled && (m.type === 'ExecutionRequested' || m.type === 'ServiceCallCancelled')) {
      await manager.query(`DELETE FROM "${S}".timers WHERE tenant_id = $1 AND service_call_id = $2`, [m.tenantId, m.aggregateId]);
    }
  }
}
