import { SchedulerCommandMessage } from '@app/common/contracts';
import { ServiceCallCommand } from '../domain';

/**
 * Maps a command message to the domain's command, stamping the time the decision is made and how
 * long before its dueAt a scheduled call may be handed to the executor (SCHEDULER_TIMER_LEAD_MS).
 */
export function toDomainCommand(message: SchedulerCommandMessage, now: Date, timerLeadMs: number): ServiceCallCommand {
  const at = now.toISOString();
  switch (message.type) {
    case 'SubmitServiceCall': {
      const { serviceCallId, target, sealedTarget, dueAt, tags, timeoutMs, submittedAt } = message.payload;
      return {
        type: 'SubmitServiceCall',
        data: {
          serviceCallId,
          tenantId: message.tenantId,
          target,
          sealedTarget,
          dueAt,
          tags,
          timeoutMs,
          submittedAt,
          now: at,
        },
      };
    }
    case 'DueTimeReached':
      return { type: 'DueTimeReached', data: { now: at, leadMs: timerLeadMs } };
    case 'RecordExecutionResult': {
      const { attempt, startedAt, finishedAt, result } = message.payload;
      return { type: 'RecordExecutionResult', data: { attempt, startedAt, finishedAt, result } };
    }
    case 'CancelServiceCall':
      return { type: 'CancelServiceCall', data: { now: at } };
    default: {
      const unexpected: never = message;
      throw new Error(`unknown command ${(unexpected as { type: string }).type}`);
    }
  }
}
