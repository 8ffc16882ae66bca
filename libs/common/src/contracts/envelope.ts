/** The message envelope of ADR-0003, shared by every topic. */
export interface Envelope<TType extends string = string, TPayload = unknown> {
  /** Unique id of this message; consumers dedupe on it. */
  readonly messageId: string;
  readonly tenantId: string;
  readonly aggregateType: 'ServiceCall';
  /** The serviceCallId; also the Kafka message key. */
  readonly aggregateId: string;
  readonly type: TType;
  readonly schemaVersion: number;
  /** ISO 8601 time the message was created. */
  readonly timestamp: string;
  /** Carried unchanged from the HTTP request through every hop. */
  readonly correlationId: string;
  /** messageId of the message that caused this one (the requestId for HTTP-born commands). */
  readonly causationId: string;
  /** Stream version; set on domain events only. */
  readonly version?: number;
  readonly payload: TPayload;
}

export interface MessageMetadata {
  readonly correlationId: string;
  readonly causationId: string;
}
