import { randomUUID } from 'node:crypto';
import { Envelope } from './envelope';
import {
  EVENT_SCHEMA_VERSION,
  ServiceCallEvent,
  ServiceCallEventDataByType,
  ServiceCallEventMessage,
  ServiceCallEventType,
} from './events';

export interface Cause {
  readonly messageId: string;
  readonly correlationId: string;
}

export interface NewEnvelope<TType extends string, TPayload> {
  readonly type: TType;
  readonly tenantId: string;
  readonly serviceCallId: string;
  readonly payload: TPayload;
  readonly schemaVersion: number;
  readonly cause: Cause;
  readonly timestamp: Date;
  readonly version?: number;
}

/** Builds an envelope caused by another message: the correlation id carries over, the causation id points back. */
export function newEnvelope<TType extends string, TPayload>(input: NewEnvelope<TType, TPayload>): Envelope<TType, TPayload> {
  return {
    messageId: randomUUID(),
    tenantId: input.tenantId,
    aggregateType: 'ServiceCall',
    aggregateId: input.serviceCallId,
    type: input.type,
    schemaVersion: input.schemaVersion,
    timestamp: input.timestamp.toISOString(),
    correlationId: input.cause.correlationId,
    causationId: input.cause.messageId,
    ...(input.version === undefined ? {} : { version: input.version }),
    payload: input.payload,
  };
}

/** Wraps a domain event in its envelope at its stream version; `type` keeps telling which payload it carries. */
export function newEventMessage<T extends ServiceCallEventType>(
  event: ServiceCallEvent<T>,
  input: Omit<NewEnvelope<T, unknown>, 'type' | 'payload' | 'schemaVersion' | 'version'> & { readonly version: number },
): ServiceCallEventMessage<T> {
  const { version, ...rest } = input;
  const envelope: Envelope<T, ServiceCallEventDataByType[T]> = newEnvelope({
    ...rest,
    type: event.type,
    payload: event.data,
    schemaVersion: EVENT_SCHEMA_VERSION,
  });
  return { ...envelope, version };
}
