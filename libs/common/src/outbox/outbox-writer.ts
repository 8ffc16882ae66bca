import { EntityManager } from 'typeorm';
import { Envelope } from '../contracts/envelope';
import { outboxChannel } from './outbox-table';

export interface OutboxMessage {
  readonly topic: string;
  readonly envelope: Envelope;
}

/**
 * Adds messages to the outbox inside the caller's transaction, so they exist exactly when the
 * state change that produced them does. The NOTIFY is delivered on commit and only wakes the publisher.
 */
export async function appendToOutbox(manager: EntityManager, schema: string, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const values: unknown[] = [];
  const rows = messages.map((m, i) => {
    values.push(m.topic, m.envelope.aggregateId, m.envelope.messageId, JSON.stringify(m.envelope));
    const p = i * 4;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb)`;
  });
  values.push(outboxChannel(schema));
  // One round trip: the insert, and the NOTIFY that wakes the publisher once this transaction commits.
  await manager.query(
    `WITH inserted AS (INSERT INTO "${schema}".outbox (topic, message_key, message_id, envelope) VALUES ${rows.join(', ')} RETURNING id)
     SELECT pg_notify($${values.length}, '') WHERE EXISTS (SELECT 1 FROM inserted)`,
    values,
  );
}
