import { Envelope } from './envelope';
import { ExecutionResult, RedactedTarget, SealedTarget } from './service-call-target';

/** Domain events of the ServiceCall aggregate, published on scheduler.events.v1. */
export interface ServiceCallSubmittedData {
  readonly serviceCallId: string;
  readonly tenantId: string;
  readonly target: RedactedTarget;
  readonly sealedTarget: SealedTarget;
  readonly dueAt: string | null;
  readonly tags: readonly string[];
  readonly timeoutMs: number;
  readonly submittedAt: string;
}

export interface ServiceCallScheduledData {
  readonly dueAt: string;
}

export interface ExecutionRequestedData {
  readonly attempt: number;
  readonly requestedAt: string;
  /** Present when a scheduled call is handed to the executor before its dueAt: its request does not leave before this instant. */
  readonly notBefore?: string;
}

/** Data of ServiceCallSucceeded and ServiceCallFailed. */
export interface ExecutionFinishedData {
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly result: ExecutionResult;
}

export interface ServiceCallCancelledData {
  readonly cancelledAt: string;
}

/** Each event type with its data; the unions below are derived from it, so `type` narrows `data` and `payload`. */
export interface ServiceCallEventDataByType {
  readonly ServiceCallSubmitted: ServiceCallSubmittedData;
  readonly ServiceCallScheduled: ServiceCallScheduledData;
  readonly ExecutionRequested: ExecutionRequestedData;
  readonly ServiceCallSucceeded: ExecutionFinishedData;
  readonly ServiceCallFailed: ExecutionFinishedData;
  readonly ServiceCallCancelled: ServiceCallCancelledData;
}

export type ServiceCallEventType = keyof ServiceCallEventDataByType;

/** A domain event (one of the types `T`, all of them by default). */
export type ServiceCallEvent<T extends ServiceCallEventType = ServiceCallEventType> = {
  [K in T]: { readonly type: K; readonly data: ServiceCallEventDataByType[K] };
}[T];

/** An event as it travels: the envelope with the event data as payload and its stream version. */
export type ServiceCallEventMessage<T extends ServiceCallEventType = ServiceCallEventType> = {
  [K in T]: Envelope<K, ServiceCallEventDataByType[K]> & { readonly version: number };
}[T];

export const EVENT_SCHEMA_VERSION = 1;
