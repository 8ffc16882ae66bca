import { accepted, Decision, rejected } from './decision';
import {
  CancelServiceCall,
  DueTimeReached,
  RecordExecutionResult,
  ServiceCallCommand,
  SubmitServiceCall,
} from './service-call.commands';
import { ServiceCallState } from './service-call.state';

const FIRST_ATTEMPT = 1;

export const decide = (command: ServiceCallCommand, state: ServiceCallState): Decision => {
  switch (command.type) {
    case 'SubmitServiceCall':
      return submit(command, state);
    case 'DueTimeReached':
      return dueTimeReached(command, state);
    case 'RecordExecutionResult':
      return recordExecutionResult(command, state);
    case 'CancelServiceCall':
      return cancel(command, state);
    default: {
      const unexpected: never = command;
      throw new Error(`Unknown ServiceCall command: ${JSON.stringify(unexpected)}`);
    }
  }
};

const submit = ({ data }: SubmitServiceCall, state: ServiceCallState): Decision => {
  // The command topic is at-least-once: a second submit of the same call is a duplicate.
  if (state.status !== 'Initial') return accepted();

  const { serviceCallId, tenantId, target, sealedTarget, dueAt, tags, timeoutMs, submittedAt, now } = data;
  const submitted = {
    type: 'ServiceCallSubmitted',
    data: { serviceCallId, tenantId, target, sealedTarget, dueAt, tags, timeoutMs, submittedAt },
  } as const;
  if (dueAt !== null && isLater(dueAt, now)) {
    return accepted(submitted, { type: 'ServiceCallScheduled', data: { dueAt } });
  }
  return accepted(submitted, { type: 'ExecutionRequested', data: { attempt: FIRST_ATTEMPT, requestedAt: now } });
};

const dueTimeReached = ({ data }: DueTimeReached, state: ServiceCallState): Decision => {
  if (state.status === 'Initial') return rejected('CALL_NOT_FOUND');
  // Timers fire at least once; only the first firing while scheduled counts.
  if (state.status !== 'Scheduled') return accepted();
  const earliestHandOver = new Date(Date.parse(state.dueAt) - data.leadMs).toISOString();
  if (isLater(earliestHandOver, data.now)) return rejected('NOT_YET_DUE');
  const requested = { attempt: FIRST_ATTEMPT, requestedAt: data.now };
  // Handed over ahead of time, it carries its dueAt: the request never leaves before it.
  return accepted({
    type: 'ExecutionRequested',
    data: isLater(state.dueAt, data.now) ? { ...requested, notBefore: state.dueAt } : requested,
  });
};

const recordExecutionResult = ({ data }: RecordExecutionResult, state: ServiceCallState): Decision => {
  if (state.status === 'Initial') return rejected('CALL_NOT_FOUND');
  // Results for another attempt, or redelivered after the outcome was recorded, change nothing.
  if (state.status !== 'Running' || state.attempt !== data.attempt) return accepted();
  const { attempt, startedAt, finishedAt, result } = data;
  const outcome = { attempt, startedAt, finishedAt, result };
  return result.error === null
    ? accepted({ type: 'ServiceCallSucceeded', data: outcome })
    : accepted({ type: 'ServiceCallFailed', data: outcome });
};

const cancel = ({ data }: CancelServiceCall, state: ServiceCallState): Decision => {
  switch (state.status) {
    case 'Initial':
      return rejected('CALL_NOT_FOUND');
    case 'Scheduled':
      return accepted({ type: 'ServiceCallCancelled', data: { cancelledAt: data.now } });
    case 'Cancelled':
      return accepted();
    case 'Running':
    case 'Succeeded':
    case 'Failed':
      return rejected('CALL_ALREADY_STARTED');
    default: {
      const unexpected: never = state;
      throw new Error(`Unknown ServiceCall state: ${JSON.stringify(unexpected)}`);
    }
  }
};

/** ISO 8601 instants compared as instants, so `Z` and `+00:00` forms agree. */
const isLater = (instant: string, than: string): boolean => Date.parse(instant) > Date.parse(than);
