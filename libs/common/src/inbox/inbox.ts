/** DDL for a consumer's processed-message table. */
export const createInboxTableSql = (schema: string): string =>
  `CREATE TABLE "${schema}".inbox (message_id text PRIMARY KEY, message_type text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`;

export const dropInboxTableSql = (schema: string): string => `DROP TABLE IF EXISTS "${schema}".inbox`;

/**
 * The ids, among `$n` (a text[] parameter), of messages processed before: a redelivery or an outbox
 * republish. A statement that reads more in the same round trip selects from it (scheduler-core
 * reads its streams with it).
 */
export const processedMessagesSql = (schema: string, idsParameter: string): string =>
  `SELECT message_id FROM "${schema}".inbox WHERE message_id = ANY(${idsParameter}::text[])`;

/**
 * The head of the insert that records messages as processed, for a statement that inserts the
 * rows (message_id, message_type) in the same atomic write as their effects. No ON CONFLICT: a
 * message a rival recorded since it was looked up fails the whole statement with a unique
 * violation, so none of its effects are written twice and the batch is decided again.
 */
export const inboxInsert = (schema: string): string => `INSERT INTO "${schema}".inbox (message_id, message_type)`;

/** The messages not processed before, each once (its first occurrence), in batch order: the ones to handle. */
export function unprocessedOf<M extends { messageId: string }>(messages: readonly M[], processedIds: Iterable<string>): M[] {
  const seen = new Set(processedIds);
  return messages.filter((m) => {
    if (seen.has(m.messageId)) return false;
    seen.add(m.messageId);
    return true;
  });
}
