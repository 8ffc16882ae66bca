import { EntityManager } from 'typeorm';
import { Envelope } from '../contracts/envelope';
import { traceContexts } from '../tracing/trace-context-registry';
import { markOutboxWritten } from './outbox-commit-signal';
import { namedQuery } from '../database/named-query';

export interface OutboxMessage {
  readonly topic: string;
  readonly envelope: Envelope;
  /** The span this message continues when its cause is no longer being handled (a timer firing later). */
  readonly traceparent?: string | null;
}

/**
 * Adds messages to the outbox inside the caller's transaction (one statement), so they exist exactly
 * when the state change that produced them does. No NOTIFY here: a NOTIFY serialises every
 * committing transaction on the notification queue's lock; the publisher is woken after the commit
 * instead (outbox-commit-signal.ts). The trace context is the span handling the message's cause,
 * if any (none while tracing is off); the publisher sends it as the `traceparent` header.
 */
export async function appendToOutbox(
  manager: EntityManager,
  schema: string,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map(outboxRow);
  await namedQuery(
    manager,
    `${outboxInsert(schema)}
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(topic text, message_key text, message_id uuid, envelope jsonb, traceparent text)`,
    [JSON.stringify(rows)],
  );
  markOutboxWritten(manager, schema);
}

/** An outbox row's columns as the statements that queue rows take them (through jsonb_to_recordset). */
export function outboxRow(m: OutboxMessage) {
  return {
    topic: m.topic,
    message_key: m.envelope.aggregateId,
    message_id: m.envelope.messageId,
    envelope: m.envelope,
    traceparent: m.traceparent ?? traceContexts.follow(m.envelope.messageId, m.envelope.causationId),
  };
}

/**
 * The head of a statement that queues rows in an app's outbox, for the statements that write their
 * state and their messages in one go (the gateway's submissions, the executor's results, scheduler-core's appends); a SELECT
 * of (topic, message_key, message_id, envelope, traceparent) follows it.
 */
export function outboxInsert(schema: string): string {
  return `INSERT INTO "${schema}".outbox (topic, message_key, message_id, envelope, traceparent)`;
}
