/** DDL for a consumer's processed-message table. */
export const createInboxTableSql = (schema: string): string =>
  `CREATE TABLE "${schema}".inbox (message_id text PRIMARY KEY, message_type text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`;

export const dropInboxTableSql = (schema: string): string => `DROP TABLE IF EXISTS "${schema}".inbox`;

/**
 * Records, inside the handler's transaction, that a batch of messages is being processed: a CTE
 * named `claimed` with one `message_id` per message not processed before, for a statement that does
 * more in the same round trip (scheduler-core reads its streams with it); its parameters are $1 and
 * $2 (claimValues). Messages processed before (a redelivery or an outbox republish), or repeated
 * within the batch, are left out (freshOf): the handler must change nothing for them.
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
