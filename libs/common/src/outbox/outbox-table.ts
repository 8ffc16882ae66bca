/**
 * DDL for an app's outbox. `xid` records the writing transaction so the publisher can hold back
 * rows while an older transaction is still open (it may yet commit a row with a lower id).
 */
export function createOutboxTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      message_key text NOT NULL,
      message_id uuid NOT NULL UNIQUE,
      envelope jsonb NOT NULL,
      xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`,
    `CREATE INDEX outbox_unpublished_idx ON "${schema}".outbox (id) WHERE published_at IS NULL`,
  ];
}

/** A row the broker can never take is set aside: kept, with its error, out of the publisher's way. */
export const addOutboxSetAsideSql = (schema: string): string[] => [
  `ALTER TABLE "${schema}".outbox ADD COLUMN set_aside_at timestamptz, ADD COLUMN set_aside_error text`,
];

export const dropOutboxSetAsideSql = (schema: string): string =>
  `ALTER TABLE "${schema}".outbox DROP COLUMN IF EXISTS set_aside_at, DROP COLUMN IF EXISTS set_aside_error`;

/** The W3C trace context a row continues (NULL while tracing is off); sent as the `traceparent` header. */
export const addOutboxTraceparentSql = (schema: string): string =>
  `ALTER TABLE "${schema}".outbox ADD COLUMN traceparent text`;

export const dropOutboxTraceparentSql = (schema: string): string =>
  `ALTER TABLE "${schema}".outbox DROP COLUMN IF EXISTS traceparent`;

export const dropOutboxTableSql = (schema: string): string => `DROP TABLE IF EXISTS "${schema}".outbox`;

export const outboxChannel = (schema: string): string => `${schema}_outbox`;
