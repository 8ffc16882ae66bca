import { EntityManager } from 'typeorm';

/** DDL for a consumer's processed-message table. */
export const createInboxTableSql = (schema: string): string =>
  `CREATE TABLE "${schema}".inbox (message_id text PRIMARY KEY, message_type text NOT NULL, processed_at timestamptz NOT NULL DEFAULT now())`;

export const dropInboxTableSql = (schema: string): string => `DROP TABLE IF EXISTS "${schema}".inbox`;

/**
 * Records that a message is being processed, inside the handler's transaction. False means it
 * was processed before (a redelivery or an outbox republish) and the handler must change nothing.
 */
export async function claimMessage(manager: EntityManager, schema: string, message: { messageId: string; type: string }): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}".inbox (message_id, message_type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id`,
    [message.messageId, message.type],
  );
  return rows.length === 1;
}
