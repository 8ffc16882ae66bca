import { ServiceCallEvent, ServiceCallEventMessage } from '@app/common/contracts';
import { EntityManager } from 'typeorm';
import { evolve, initialState } from '../domain';
import { LoadedStream, streamKey, TimerChange } from '../commands/plan-command-batch';
import { StreamRef } from '../commands/outgoing-messages';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';
import { namedQuery } from '@app/common/database';
import { inboxInsert, processedMessagesSql, unprocessedOf } from '@app/common/inbox';
import { markOutboxWritten, OutboxMessage, outboxFirstRowsWritten, outboxInsert, outboxRow } from '@app/common/outbox';
import { timersToClear, timersToSet } from '../timers/timer-changes';

export interface StreamAppend {
  readonly ref: StreamRef;
  readonly expectedVersion: number;
  readonly events: readonly ServiceCallEventMessage[];
  /** Queued in the outbox, and the timer changed, only if the stream's events are appended. */
  readonly outbox?: readonly OutboxMessage[];
  readonly timer?: TimerChange;
}

/** A message to record in the inbox with the write, if its stream goes in (or has nothing to write). */
export interface MessageClaim {
  readonly ref: StreamRef;
  readonly messageId: string;
  readonly type: string;
}

/** A stored event: its `type` and `data` columns are the domain event itself. */
type EventRow = ServiceCallEvent & { tenant_id: string; stream_id: string; version: number };

/**
 * The events of the given streams, each stream looked up through its (tenant, stream, version) key.
 * A plain join is planned for the 100 rows Postgres assumes an array parameter holds: while the
 * table held up to a few thousand events it hashed the batch and scanned the whole table (574 scans
 * reading 1.2 million rows in the first 40 s of a run at 100 calls/s). The lateral subquery, kept
 * out of the join by `OFFSET 0`, can only be a lookup per stream.
 */
export const readStreamsSql = (schema: string): string =>
  `${streamEvents(schema, '$1', '$2')} ORDER BY e.tenant_id, e.stream_id, e.version`;

const streamEvents = (schema: string, tenants: string, streams: string): string =>
  `SELECT e.tenant_id, e.stream_id, e.type, e.data, e.version
     FROM unnest(${tenants}::text[], ${streams}::text[]) AS s(tenant_id, stream_id)
     CROSS JOIN LATERAL (
       SELECT tenant_id, stream_id, type, data, version FROM "${schema}".events
        WHERE tenant_id = s.tenant_id AND stream_id = s.stream_id OFFSET 0) e`;

const READ_STREAMS = readStreamsSql(S);

/**
 * The read of a batch in one round trip: which of its messages ($1) were processed before, the
 * database's clock, and the events of the streams ($2, $3), each row saying which it is.
 */
export const readBatchSql = (schema: string): string =>
  `SELECT 'event' AS kind, NULL::text AS message_id, NULL::timestamptz AS now, e.* FROM (${streamEvents(schema, '$2', '$3')}) e
   UNION ALL SELECT 'processed', message_id, NULL, NULL, NULL, NULL, NULL, NULL FROM (${processedMessagesSql(schema, '$1')}) p
   UNION ALL SELECT 'now', NULL, clock_timestamp(), NULL, NULL, NULL, NULL, NULL`;

const READ_BATCH = readBatchSql(S);

type ReadBatchRow =
  | ({ kind: 'event'; message_id: null; now: null } & EventRow)
  | { kind: 'processed'; message_id: string; now: null }
  | { kind: 'now'; message_id: null; now: Date };

/**
 * The write of a batch in one statement, atomic without a transaction around it: every stream's
 * events ($1 expected versions and event counts, $2 events), each stream only while it is still at
 * its expected version, and, for exactly the streams that were, their outbox rows ($3, in order),
 * timer changes ($4 set, $5/$6 cleared) and the inbox records of the messages decided on them ($7).
 * A stream with no events is guarded all the same: a command rejected against a state that moved
 * on (read from a cache, or before a rival's write) must be decided again, not recorded. Messages
 * of a stream not in $1 are recorded unconditionally. Returns the streams that were at their
 * expected version, by which the caller tells the streams that moved on (those it re-decides), and
 * the outbox rows it queued (their ids, for handing them over).
 *
 * A rival that commits the same stream version or records the same message while this statement
 * runs (only two consumers on one partition, in a rebalance, can), or a message recorded before
 * (a duplicate the caller did not read for), makes it fail with a unique violation, and nothing of
 * it is written: no ON CONFLICT, since without a transaction there is no undoing a stream that
 * went in only in part.
 */
export const appendToStreamsSql = (schema: string): string =>
  `WITH expected AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, stream_id text, version int, events int)),
        applied AS (
          SELECT x.tenant_id, x.stream_id FROM expected x
           WHERE (SELECT COALESCE(max(e.version), 0) FROM "${schema}".events e WHERE e.tenant_id = x.tenant_id AND e.stream_id = x.stream_id) = x.version),
        appended AS (
          INSERT INTO "${schema}".events (tenant_id, stream_id, version, event_id, type, data, metadata)
          SELECT r.tenant_id, r.stream_id, r.version, r.event_id, r.type, r.data, r.metadata
            FROM jsonb_to_recordset($2::jsonb) AS r(tenant_id text, stream_id text, version int, event_id uuid, type text, data jsonb, metadata jsonb)
            JOIN applied USING (tenant_id, stream_id)
           ORDER BY r.tenant_id, r.stream_id, r.version
          RETURNING 1),
        queued AS (
          ${outboxInsert(schema)}
          SELECT o.topic, o.message_key, o.message_id, o.envelope, o.traceparent
            FROM jsonb_to_recordset($3::jsonb) AS o(seq int, tenant_id text, stream_id text, topic text, message_key text, message_id uuid, envelope jsonb, traceparent text)
            JOIN applied USING (tenant_id, stream_id)
           ORDER BY o.seq
          RETURNING id, message_id),
        timers_set AS (
          INSERT INTO "${schema}".timers (tenant_id, service_call_id, due_at, correlation_id, causation_id, traceparent)
          SELECT t.tenant_id, t.service_call_id, t.due_at, t.correlation_id, t.causation_id, t.traceparent
            FROM jsonb_to_recordset($4::jsonb) AS t(tenant_id text, service_call_id text, due_at timestamptz, correlation_id text, causation_id text, traceparent text)
            JOIN applied a ON a.tenant_id = t.tenant_id AND a.stream_id = t.service_call_id
          ON CONFLICT (tenant_id, service_call_id) DO UPDATE SET due_at = EXCLUDED.due_at
          RETURNING 1),
        timers_cleared AS (
          DELETE FROM "${schema}".timers t USING unnest($5::text[], $6::text[]) AS c(tenant_id, service_call_id), applied a
           WHERE t.tenant_id = c.tenant_id AND t.service_call_id = c.service_call_id
             AND a.tenant_id = c.tenant_id AND a.stream_id = c.service_call_id
          RETURNING 1),
        recorded AS (
          ${inboxInsert(schema)}
          SELECT m.message_id, m.message_type
            FROM jsonb_to_recordset($7::jsonb) AS m(message_id text, message_type text, tenant_id text, stream_id text)
           WHERE NOT EXISTS (SELECT 1 FROM expected x WHERE x.tenant_id = m.tenant_id AND x.stream_id = m.stream_id)
              OR EXISTS (SELECT 1 FROM applied a WHERE a.tenant_id = m.tenant_id AND a.stream_id = m.stream_id)
          RETURNING 1)
   SELECT tenant_id, stream_id, NULL::bigint AS outbox_id, NULL::uuid AS message_id FROM applied
   UNION ALL SELECT NULL, NULL, id, message_id FROM queued`;

const APPEND_TO_STREAMS = appendToStreamsSql(S);

/** Append-only streams keyed (tenantId, serviceCallId); every append states the version it expects. */
export class PostgresEventStore {
  /** Every given stream folded to its state, in one query; a stream with no events is absent from the map. */
  async readStreams(manager: EntityManager, refs: readonly StreamRef[]): Promise<Map<string, LoadedStream>> {
    const rows = await namedQuery<EventRow>(manager, READ_STREAMS, refValues(refs));
    return foldStreams(rows);
  }

  /**
   * Reads what a batch needs in one statement: its messages not processed before (each once, in
   * order), the database's clock for every decision of the batch, and the streams folded.
   */
  async readBatch<M extends { messageId: string }>(
    manager: EntityManager,
    messages: readonly M[],
    refs: readonly StreamRef[],
  ): Promise<{ fresh: M[]; now: Date; streams: Map<string, LoadedStream> }> {
    const rows = await namedQuery<ReadBatchRow>(manager, READ_BATCH, [messages.map((m) => m.messageId), ...refValues(refs)]);
    const events: EventRow[] = [];
    const processed: string[] = [];
    let now: Date | undefined;
    for (const row of rows) {
      if (row.kind === 'event') events.push(row);
      else if (row.kind === 'processed') processed.push(row.message_id);
      else now = new Date(row.now);
    }
    // Folding needs each stream's events in version order; streams may interleave.
    events.sort((a, b) => a.version - b.version);
    return { fresh: unprocessedOf(messages, processed), now: now!, streams: foldStreams(events) };
  }

  /**
   * Appends to many streams in one statement, each only while it is still at its expected version
   * (even one with nothing to write), with the outbox rows, timer changes and inbox records of the
   * streams that were (appendToStreamsSql). Returns the keys of the streams that moved on meanwhile
   * (nothing of theirs is written, their messages are not recorded), so the caller re-decides just
   * those. Throws a unique violation, having written nothing, when a rival wrote the same version
   * or a message of the write was recorded before or meanwhile.
   */
  async appendToStreams(
    manager: EntityManager,
    appends: readonly StreamAppend[],
    claims: readonly MessageClaim[] = [],
  ): Promise<Set<string>> {
    if (appends.length === 0 && claims.length === 0) return new Set();
    const expected = appends.map((a) => ({
      tenant_id: a.ref.tenantId,
      stream_id: a.ref.serviceCallId,
      version: a.expectedVersion,
      events: a.events.length,
    }));
    const events = appends.flatMap((a) => a.events.map((m, i) => eventRow(a, m, i)));
    const outbox = appends.flatMap((a) =>
      (a.outbox ?? []).map((m) => ({ tenant_id: a.ref.tenantId, stream_id: a.ref.serviceCallId, ...outboxRow(m) })),
    );
    // A writer that moved the stream before this statement's snapshot is filtered out by the guard
    // (the stream does not come back); one that commits the same version meanwhile fails the statement.
    const written = await namedQuery<AppendedRow>(manager, APPEND_TO_STREAMS, [
      JSON.stringify(expected),
      JSON.stringify(events),
      JSON.stringify(outbox.map((row, seq) => ({ seq, ...row }))),
      JSON.stringify(timersToSet(appends)),
      ...timersToClear(appends),
      JSON.stringify(
        claims.map((c) => ({
          message_id: c.messageId,
          message_type: c.type,
          tenant_id: c.ref.tenantId,
          stream_id: c.ref.serviceCallId,
        })),
      ),
    ]);
    const conflicts = new Set(appends.map((a) => streamKey(a.ref)));
    for (const r of written)
      if (r.stream_id !== null) conflicts.delete(streamKey({ tenantId: r.tenant_id, serviceCallId: r.stream_id }));
    signalOutbox(manager, appends, conflicts, outbox, written);
    return conflicts;
  }
}

/** A row of the append's answer: a stream that was at its expected version, or an outbox row it queued. */
type AppendedRow =
  | { tenant_id: string; stream_id: string; outbox_id: null; message_id: null }
  | { tenant_id: null; stream_id: null; outbox_id: string; message_id: string };

/**
 * The rows of streams this write began (expected version 0) are the first of their key in the
 * outbox, since every row of a key is queued with an append to its stream, or after one (a timer's
 * DueTimeReached, the timer being set by an append): once committed, they are handed over to the
 * publisher, which produces them without a poll. Any other row wakes it for a poll, the only way a
 * key's later rows keep their order.
 */
function signalOutbox(
  manager: EntityManager,
  appends: readonly StreamAppend[],
  conflicts: ReadonlySet<string>,
  outbox: readonly (ReturnType<typeof outboxRow> & { tenant_id: string; stream_id: string })[],
  written: readonly AppendedRow[],
): void {
  const queued = appends.filter((a) => (a.outbox?.length ?? 0) > 0 && !conflicts.has(streamKey(a.ref)));
  const begun = new Set(queued.filter((a) => a.expectedVersion === 0).map((a) => streamKey(a.ref)));
  if (begun.size > 0) {
    const ids = new Map(written.filter((r) => r.outbox_id !== null).map((r) => [r.message_id, r.outbox_id]));
    outboxFirstRowsWritten(
      manager,
      S,
      outbox
        .filter((row) => begun.has(streamKey({ tenantId: row.tenant_id, serviceCallId: row.stream_id })))
        .map((row) => ({
          id: ids.get(row.message_id)!,
          topic: row.topic,
          envelope: row.envelope,
          traceparent: row.traceparent ?? null,
        })),
    );
  }
  if (queued.length > begun.size) markOutboxWritten(manager, S);
}

/** An event as the append statement takes it; its version must follow the stream's expected one. */
function eventRow(append: StreamAppend, m: ServiceCallEventMessage, index: number) {
  if (m.version !== append.expectedVersion + index + 1)
    throw new Error(`event ${m.type} has version ${m.version}, expected ${append.expectedVersion + index + 1}`);
  const metadata = {
    messageId: m.messageId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    schemaVersion: m.schemaVersion,
    timestamp: m.timestamp,
  };
  return {
    tenant_id: m.tenantId,
    stream_id: m.aggregateId,
    version: m.version,
    event_id: m.messageId,
    type: m.type,
    data: m.payload,
    metadata,
  };
}

const refValues = (refs: readonly StreamRef[]): unknown[] => [refs.map((r) => r.tenantId), refs.map((r) => r.serviceCallId)];

/** Folds events, each stream's in version order, into each stream's state and version. */
function foldStreams(rows: readonly EventRow[]): Map<string, LoadedStream> {
  const streams = new Map<string, LoadedStream>();
  for (const row of rows) {
    const ref = { tenantId: row.tenant_id, serviceCallId: row.stream_id };
    const key = streamKey(ref);
    const stream = streams.get(key) ?? { ref, state: initialState(), version: 0 };
    streams.set(key, { ref, state: evolve(stream.state, row), version: row.version });
  }
  return streams;
}
