import { EntityManager } from 'typeorm';
import { Envelope } from '../contracts/envelope';
import { markOutboxWritten } from './outbox-commit-signal';

export interface OutboxMessage {
  readonly topic: string;
  readonly envelope: Envelope;
}

/**
 * Adds messages to the outbox inside the caller's transaction (one statement), so they exist exactly
 * when the state change that produced them does. No NOTIFY here: a NOTIFY serialises every
 * committing transaction on the notification queue's lock; the publisher is woken after the commit
 * instead (outbox-commit-signal.ts).
 */
export async function appendToOutbox(manager: EntityManager, schema: string, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map((m) => ({ topic: m.topic, message_key: m.envelope.aggregateId, message_id: m.envelope.messageId, envelope: m.envelope }));
  await manager.query(
    `INSERT INTO "${schema}".outbox (topic, message_key, message_id, envelope)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(topic text, message_key text, message_id uuid, envelope jsonb)`,
    [JSON.stringify(rows)],
  );
  markOutboxWritten(manager, schema);
}
