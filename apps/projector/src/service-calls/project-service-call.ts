import { ServiceCallEventMessage } from '@app/common/contracts';
import { ServiceCallView } from '@app/common/read-model';

/**
 * Applies one event to the view (pure). Returns the view unchanged when the event is not newer
 * than what the view already shows, so applying the same event twice changes nothing.
 */
export function projectServiceCall(view: ServiceCallView | null, message: ServiceCallEventMessage): ServiceCallView | null {
  if (view && message.version <= view.version) return view;
  const at = message.timestamp;
  if (message.type === 'ServiceCallSubmitted') {
    const d = message.payload;
    return (
      view ?? {
        tenantId: d.tenantId,
        id: d.serviceCallId,
        status: 'Accepted',
        target: d.target,
        tags: d.tags,
        dueAt: d.dueAt,
        timeoutMs: d.timeoutMs,
        createdAt: d.submittedAt,
        updatedAt: at,
        attempts: 0,
        startedAt: null,
        finishedAt: null,
        result: null,
        version: message.version,
      }
    );
  }
  if (!view)
    throw new Error(`${message.type} v${message.version} arrived for ${message.aggregateId} before ServiceCallSubmitted`);
  const moved = { ...view, updatedAt: at, version: message.version };
  switch (message.type) {
    case 'ServiceCallScheduled':
      return { ...moved, status: 'Scheduled', dueAt: message.payload.dueAt };
    case 'ExecutionRequested':
      return { ...moved, status: 'Running', attempts: message.payload.attempt };
    case 'ServiceCallSucceeded':
    case 'ServiceCallFailed':
      return {
        ...moved,
        status: message.type === 'ServiceCallSucceeded' ? 'Succeeded' : 'Failed',
        startedAt: message.payload.startedAt,
        finishedAt: message.payload.finishedAt,
        result: message.payload.result,
      };
    case 'ServiceCallCancelled':
      return { ...moved, status: 'Cancelled' };
    default: {
      const unexpected: never = message;
      throw new Error(`unknown event ${(unexpected as { type: string }).type}`);
    }
  }
}
