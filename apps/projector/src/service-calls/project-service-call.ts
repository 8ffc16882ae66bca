import { ServiceCallEvent, ServiceCallEventMessage } from '@app/common/contracts';
import { ServiceCallView } from '@app/common/read-model';

/**
 * Applies one event to the view (pure). Returns the view unchanged when the event is not newer
 * than what the view already shows, so applying the same event twice changes nothing.
 */
export function projectServiceCall(view: ServiceCallView | null, message: ServiceCallEventMessage): ServiceCallView | null {
  if (view && message.version <= view.version) return view;
  const event = { type: message.type, data: message.payload } as ServiceCallEvent;
  const at = message.timestamp;
  if (event.type === 'ServiceCallSubmitted') {
    const d = event.data;
    return view ?? {
      tenantId: d.tenantId, id: d.serviceCallId, status: 'Accepted', target: d.target, tags: d.tags, dueAt: d.dueAt,
      timeoutMs: d.timeoutMs, createdAt: d.submittedAt, updatedAt: at, attempts: 0, startedAt: null, finishedAt: null,
      result: null, version: message.version,
    };
  }
  if (!view) throw new Error(`${event.type} v${message.version} arrived for ${message.aggregateId} before ServiceCallSubmitted`);
  const moved = { ...view, updatedAt: at, version: message.version };
  switch (event.type) {
    case 'ServiceCallScheduled':
      return { ...moved, status: 'Scheduled', dueAt: event.data.dueAt };
    case 'ExecutionRequested':
      return { ...moved, status: 'Running', attempts: event.data.attempt };
    case 'ServiceCallSucceeded':
    case 'ServiceCallFailed':
      return {
        ...moved, status: event.type === 'ServiceCallSucceeded' ? 'Succeeded' : 'Failed',
        startedAt: event.data.startedAt, finishedAt: event.data.finishedAt, result: event.data.result,
      };
    case 'ServiceCallCancelled':
      return { ...moved, status: 'Cancelled' };
    default: {
      const unexpected: never = event;
      throw new Error(`unknown event ${(unexpected as { type: string }).type}`);
    }
  }
}
