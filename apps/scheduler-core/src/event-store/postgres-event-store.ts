import { ServiceCallEvent, ServiceCallEventMessage } from '@app/common/contracts';
import { EntityManager } from 'typeorm';
import { evolve, initialState } from '../domain';
import { LoadedStream, streamKey, TimerChange } from '../commands/plan-command-batch';
import { StreamRef } from '../commands/outgoing-messages';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';
import { namedQuery } from '@app/common/database';
import { claimedCte, claimValues, freshOf } from '@app/common/inbox';
import { markOutboxWritten, OutboxMessage, outboxInsert, outboxRow } from '@app/common/outbox';
import { timersToClear, timersToSet } from '../timers/timer-changes';

export interface StreamAppend {
  readonly ref: StreamRef;
  readonly expectedVersion: number;
  readonly events: readonly ServiceCallEventMessage[];
  /** Queued in the outbox, and the timer changed, only if the stream's events are appended. */
  readonly outbox?: readonly OutboxMessage[];
  readonly timer?: TimerChange;
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
 * The first round of a batch in one round trip: the inbox claim ($1, $2), the database's clock, and
 * the events of the streams ($3, $4), each row saying which it is. The events are read with the
 * statement's snapshot, taken before a claim that waits on a rival claiming the same message: a
 * stream a rival moved on meanwhile fails its append guard and is re-read, as any stale stream is.
 */
export const claimAndReadStreamsSql = (schema: string): string =>
  `WITH ${claimedCte(schema)}
   SELECT 'event' AS kind, NULL::text AS message_id, NULL::timestamptz AS now, e.* FROM (${streamEvents(schema, '$3', '$4')}) e
   UNION ALL SELECT 'claimed', message_id, NULL, NULL, NULL, NULL, NULL, NULL FROM claimed
   UNION ALL SELECT 'now', NULL, clock_timestamp(), NULL, NULL, NULL, NULL, NULL`;

const CLAIM_AND_READ_STREAMS = claimAndReadStreamsSql(S);

type ClaimAndReadRow =
  | ({ kind: 'event'; message_id: null; now: null } & EventRow)
  | { kind: 'claimed'; message_id: string; now: null }
  | { kind: 'now'; message_id: null; now: Date };

/**
 * The write of a batch in one statement: every stream's events ($1 expected versions and event
 * counts, $2 events), each stream only while it is still at its expected version, and, for exactly
 * the streams whose events all went in, their outbox rows ($3, in order) and timer changes ($4 set,
 * $5/$6 cleared). A stream with no events has nothing to guard: its outbox rows and timer change
 * always apply. Returns the events appended, by which the caller tells the streams that moved on.
 */
export const appendToStreamsSql = (schema: string): string =>
  `WITH expected AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(tenant_id text, stream_id text, version int, events int)),
        current AS (
          SELECT x.tenant_id, x.stream_id FROM expected x
           WHERE x.events > 0
             AND (SELECT COALESCE(max(e.version), 0) FROM "${schema}".events e WHERE e.tenant_id = x.tenant_id AND e.stream_id = x.stream_id) = x.version),
        appended AS (
          INSERT INTO "${schema}".events (tenant_id, stream_id, version, event_id, type, data, metadata)
          SELECT r.tenant_id, r.stream_id, r.version, r.event_id, r.type, r.data, r.metadata
            FROM jsonb_to_recordset($2::jsonb) AS r(tenant_id text, stream_id text, version int, event_id uuid, type text, data jsonb, metadata jsonb)
            JOIN current USING (tenant_id, stream_id)
           ORDER BY r.tenant_id, r.stream_id, r.version
          ON CONFLICT DO NOTHING
          RETURNING tenant_id, stream_id, version),
        applied AS (
          SELECT x.tenant_id, x.stream_id FROM expected x
            LEFT JOIN (SELECT tenant_id, stream_id, count(*) AS n FROM appended GROUP BY tenant_id, stream_id) a USING (tenant_id, stream_id)
           WHERE COALESCE(a.n, 0) = x.events),
        queued AS (
          ${outboxInsert(schema)}
          SELECT o.topic, o.message_key, o.message_id, o.envelope, o.traceparent
            FROM jsonb_to_recordset($3::jsonb) AS o(seq int, tenant_id text, stream_id text, topic text, message_key text, message_id uuid, envelope jsonb, traceparent text)
            JOIN applied USING (tenant_id, stream_id)
           ORDER BY o.seq
          RETURNING 1),
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
          RETURNING 1)
   SELECT tenant_id, stream_id, version FROM appended`;

const APPEND_TO_STREAMS = appendToStreamsSql(S);

/** Append-only streams keyed (tenantId, serviceCallId); every append states the version it expects. */
export class PostgresEventStore {
  /** Every given stream folded to its state, in one query; a stream with no events is absent from the map. */
  async readStreams(manager: EntityManager, refs: readonly StreamRef[]): Promise<Map<string, LoadedStream>> {
    const rows = await namedQuery<EventRow>(manager, READ_STREAMS, refValues(refs));
    return foldStreams(rows);
  }

  /**
   * Claims a batch's messages in the inbox (claimedCte) and reads the streams they address,
   * in one statement: the messages not processed before, the database's clock for every decision of
   * the batch, and the streams folded.
   */
  async claimAndReadStreams<M extends { messageId: string; type: string }>(
    manager: EntityManager,
    messages: readonly M[],
    refs: readonly StreamRef[],
  ): Promise<{ fresh: M[]; now: Date; streams: Map<string, LoadedStream> }> {
    const rows = await namedQuery<ClaimAndReadRow>(manager, CLAIM_AND_READ_STREAMS, [
      ...claimValues(messages),
      ...refValues(refs),
    ]);
    const events: EventRow[] = [];
    const claimed: { message_id: string }[] = [];
    let now: Date | undefined;
    for (const row of rows) {
      if (row.kind === 'event') events.push(row);
      else if (row.kind === 'claimed') claimed.push(row);
      else now = new Date(row.now);
    }
    // Folding needs each stream's events in version order; streams may interleave.
    events.sort((a, b) => a.version - b.version);
    return { fresh: freshOf(messages, claimed), now: now!, streams: foldStreams(events) };
  }

  /**
   * Appends to many streams in one statement, each only while it is still at its expected version,
   * with the outbox rows and timer changes of the streams that went in (appendToStreamsSql). Returns
   * the keys of the streams that moved on meanwhile (nothing of theirs is left written), so the
   * caller re-decides just those.
   */
  async appendToStreams(manager: EntityManager, appends: readonly StreamAppend[]): Promise<Set<string>> {
    const writes = appends.filter((a) => a.events.length > 0 || (a.outbox?.length ?? 0) > 0 || a.timer !== undefined);
    if (writes.length === 0) return new Set();
    const expected = writes.map((a) => ({
      tenant_id: a.ref.tenantId,
      stream_id: a.ref.serviceCallId,
      version: a.expectedVersion,
      events: a.events.length,
    }));
    const events = writes.flatMap((a) => a.events.map((m, i) => eventRow(a, m, i)));
    const outbox = writes.flatMap((a) =>
      (a.outbox ?? []).map((m) => ({ tenant_id: a.ref.tenantId, stream_id: a.ref.serviceCallId, ...outboxRow(m) })),
    );
    // A racing writer either already moved the stream (the guard filters it out) or collides on the
    // unique (tenant, stream, version) key (DO NOTHING); either way fewer rows come back for that stream.
    const inserted = await namedQuery<{ tenant_id: string; stream_id: string; version: number }>(
      manager,
      APPEND_TO_STREAMS,
      [
        JSON.stringify(expected),
        JSON.stringify(events),
        JSON.stringify(outbox.map((row, seq) => ({ seq, ...row }))),
        JSON.stringify(timersToSet(writes)),
        ...timersToClear(writes),
      ],
    );
    const counts = new Map<string, number>();
    for (const r of inserted) {
      const key = streamKey({ tenantId: r.tenant_id, serviceCallId: r.stream_id });
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const conflicts = new Set<string>();
    const partial: StreamAppend[] = [];
    for (const a of writes) {
      const count = counts.get(streamKey(a.ref)) ?? 0;
      if (count === a.events.length) continue;
      conflicts.add(streamKey(a.ref));
      if (count > 0) partial.push(a);
    }
    if (partial.length > 0) await this.removeOwnRows(manager, partial);
    if (outbox.length > 0 && conflicts.size < writes.length) markOutboxWritten(manager, S);
    return conflicts;
  }

  /** Undoes this transaction's rows of a stream that was only partly appended (a version collided mid-way). */
  private async removeOwnRows(manager: EntityManager, appends: readonly StreamAppend[]): Promise<void> {
    await manager.query(`DELETE FROM "${S}".events WHERE event_id = ANY($1::uuid[])`, [
      appends.flatMap((a) => a.events.map((e) => e.messageId)),
    ]);
  }
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
