import { ServiceCallEvent } from '@app/common/contracts';
import { ServiceCallState } from './service-call.state';

export const evolve = (state: ServiceCallState, event: ServiceCallEvent): ServiceCallState => {
  if (event.type === 'ServiceCallSubmitted') {
    // ServiceCallScheduled or ExecutionRequested always follows in the same append.
    return { status: 'Scheduled', call: event.data, dueAt: event.data.dueAt ?? event.data.submittedAt };
  }
  // Every other event needs a submitted call; a stream that breaks this is left as it was.
  if (state.status === 'Initial') return state;
  const { call } = state;

  switch (event.type) {
    case 'ServiceCallScheduled':
      return { status: 'Scheduled', call, dueAt: event.data.dueAt };
    case 'ExecutionRequested':
      return { status: 'Running', call, attempt: event.data.attempt };
    case 'ServiceCallSucceeded':
      return { status: 'Succeeded', call, attempt: event.data.attempt };
    case 'ServiceCallFailed':
      return { status: 'Failed', call, attempt: event.data.attempt };
    case 'ServiceCallCancelled':
      return { status: 'Cancelled', call };
    default: {
      const unexpected: never = event;
      throw new Error(`Unknown ServiceCall event: ${JSON.stringify(unexpected)}`);
    }
  }
};
