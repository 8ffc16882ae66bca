import {
  Cause,
  EXECUTION_SCHEMA_VERSION,
  ExecuteServiceCallPayload,
  newEnvelope,
  newEventMessage,
  ServiceCallEvent,
  ServiceCallEventMessage,
  TOPICS,
} from '@app/common/contracts';
import { OutboxMessage } from '@app/common/outbox';
import { ServiceCallState } from '../domain';

export interface StreamRef {
  readonly tenantId: string;
  readonly serviceCallId: string;
}

export function eventMessages(
  ref: StreamRef,
  events: readonly ServiceCallEvent[],
  fromVersion: number,
  cause: Cause,
  now: Date,
): ServiceCallEventMessage[] {
  return events.map((event, i) => newEventMessage(event, { ...ref, cause, timestamp: now, version: fromVersion + i + 1 }));
}

/**
 * What goes to the outbox besides the events themselves: an ExecutionRequested also asks the
 * executor to run the call, carrying the sealed target from the state.
 */
export function outboxMessagesFor(
  ref: StreamRef,
  messages: readonly ServiceCallEventMessage[],
  stateAfter: ServiceCallState,
  now: Date,
): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  for (const message of messages) {
    out.push({ topic: TOPICS.events, envelope: message });
    if (message.type === 'ExecutionRequested' && stateAfter.status !== 'Initial') {
      const { call } = stateAfter;
      const payload: ExecuteServiceCallPayload = {
        serviceCallId: ref.serviceCallId,
        attempt: message.payload.attempt,
        target: call.target,
        sealedTarget: call.sealedTarget,
        timeoutMs: call.timeoutMs,
        ...(message.payload.notBefore === undefined ? {} : { notBefore: message.payload.notBefore }),
      };
      out.push({
        topic: TOPICS.executions,
        envelope: newEnvelope({
          ...ref,
          type: 'ExecuteServiceCall',
          payload,
          schemaVersion: EXECUTION_SCHEMA_VERSION,
          cause: message,
          timestamp: now,
        }),
      });
    }
  }
  return out;
}
