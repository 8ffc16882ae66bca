import { EntityManager } from 'typeorm';
import { namedQuery } from '../database/named-query';

/** DDL for a consumer's processed-message table. */
export const createInboxTableSql = (schema: string): string =>
  `CREATE TABLE "${schema}".inbox (message_id text PRIMARY KEY, message_type text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`;

export const dropInboxTableSql = (schema: string): string => `DROP TABLE IF EXISTS "${schema}".inbox`;

export interface Claimed<M> {
  /** The messages to process: each messageId once, first occurrence, in batch order. */
  readonly fresh: M[];
  /** The database's clock at the claim, so every decision in the batch reads one clock (DESIGN.md §3 timers). */
  readonly now: Date;
}

/**
 * Records, in one statement inside the handler's transaction, that a batch of messages is being
 * processed. Messages processed before (a redelivery or an outbox republish), or repeated within the
 * batch, are left out: the handler must change nothing for them.
 */
export async function claimMessages<M extends { messageId: string; type: string }>(
  manager: EntityManager,
  schema: string,
  messages: readonly M[],
): Promise<Claimed<M>> {
  const rows = await namedQuery<{ message_id: string | null; now: Date }>(
    manager,
    `WITH ${claimedCte(schema)}
     SELECT c.message_id, clock_timestamp() AS now FROM (SELECT 1) one LEFT JOIN claimed c ON true`,
    claimValues(messages),
  );
  return { fresh: freshOf(messages, rows), now: new Date(rows[0].now) };
}

/**
 * The claim as a CTE named `claimed` (one `message_id` per message not processed before), for a
 * statement that does more in the same round trip; its parameters are $1 and $2 (claimValues).
 */
export const claimedCte = (schema: string): string =>
  `claimed AS (
     INSERT INTO "${schema}".inbox (message_id, message_type)
     SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING message_id)`;

export const claimValues = (messages: readonly { messageId: string; type: string }[]): unknown[] => [
  messages.map((m) => m.messageId),
  messages.map((m) => m.type),
];

/** The messages whose ids the claim returned: each once, first occurrence, in batch order. */
export function freshOf<M extends { messageId: string }>(
  messages: readonly M[],
  rows: readonly { message_id: string | null }[],
): M[] {
  const claimed = new Set(rows.map((r) => r.message_id).filter((id): id is string => id !== null));
  return messages.filter((m) => claimed.delete(m.messageId));
}

/** One message at a time; kept for callers that handle a single message. */
export async function claimMessage(
  manager: EntityManager,
  schema: string,
  message: { messageId: string; type: string },
): Promise<boolean> {
  return (await claimMessages(manager, schema, [message])).fresh.length === 1;
}
