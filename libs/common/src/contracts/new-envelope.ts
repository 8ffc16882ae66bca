import { randomUUID } from 'node:crypto';
import { Envelope } from './envelope';

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
