import { Client, ClientConfig } from 'pg';
import { WakeableSleep } from '../clock/wakeable-sleep';
import { RecencyBoundedMap } from '../collections/recency-bounded-map';
import { Envelope } from '../contracts/envelope';
import { GENERIC_PLANS } from '../database/create-data-source';
import { encodeHeaders } from '../messaging/envelope-codec';
import { hasBrokerError, ProducedRecord, RecordProducer } from '../messaging/record-producer';
import { TopicNamespace } from '../messaging/topic-namespace';
import { debugEnabled, Log, messageLogFields } from '../observability/log';
import { recordOutboxPublishDelays } from '../observability/hop-metrics';
import { outboxPolls, outboxPublished, outboxSetAside } from '../observability/metrics';
import { CommittedOutboxRow, onOutboxCommitted, onOutboxFirstRowsCommitted } from './outbox-commit-signal';
import { outboxChannel } from './outbox-table';
import { cutByBytes } from './produce-batches';

export interface OutboxPublisherOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly brokers: readonly string[];
  /** Names the producer to the broker (its logs and quotas). */
  readonly clientId: string;
  readonly log: Log;
  readonly namespace?: TopicNamespace;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** Upper bound of one produce request, below the broker's maximum batch size (1 MiB by default on Kafka and Redpanda). */
  readonly maxRequestBytes?: number;
  /** Rows marked published (by versions that marked rather than deleted them) are deleted after this long. */
  readonly retentionMs?: number;
}

const HELD_BACK_RETRY_MS = 5;
/** How long published rows may wait for the next poll to delete them before a DELETE of their own (also while rows are handed over and no poll comes). */
const DELETE_DEFERRAL_MS = 100;
/** Per record beyond its value: the key, eight routing headers (ids, type, tenant: about 300 bytes), a traceparent (about 70) and framing. */
const RECORD_OVERHEAD_BYTES = 512;
/**
 * How many ids of rows read by polls the publisher remembers, so that a handover coming after the
 * poll took its row is not sent again: seconds of rows even at thousands a second, where a handover
 * comes milliseconds after its commit. One later than that is sent twice, which consumers absorb.
 */
const POLLED_IDS_REMEMBERED = 20_000;
/**
 * The broker no longer agrees with the idempotent producer's sequence numbers or id (seen after a
 * broker restart under load: OUT_OF_ORDER_SEQUENCE_NUMBER on every retry, for good). Only a new
 * producer, with a new id, gets past it; rows it sends again are deduplicated by messageId.
 */
const PRODUCER_STATE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);
/** Errors about one message itself: retrying can never make the broker take it. */
const UNPRODUCIBLE = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
]);

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  value: string;
  bytes: number;
  traceparent: string | null;
}

/** A row read for publishing, its envelope parsed once for the headers, the log and the delay. */
interface ReadRow extends OutboxRow {
  readonly envelope: Envelope;
}

/**
 * Drains one outbox to the broker in id order. One publisher per outbox holds a session advisory
 * lock (replicas wait on standby); rows are taken in id order up to the first one whose transaction
 * is not older than every open one (`xid < pg_snapshot_xmin`), so a row that commits late is neither
 * skipped nor overtaken by a later row of the same key. Many rows go in one produce request, bounded
 * by bytes; a row the broker can never take is set aside with its error. Published rows are deleted
 * by the next poll (or after DELETE_DEFERRAL_MS without one); set-aside rows stay. A crash between
 * produce and that delete republishes: consumers dedupe by messageId.
 *
 * Rows that are each the first message of their key can skip the poll: their writer hands them over
 * after its commit (`outboxFirstRowsCommitted`), and the leader produces them as they are, since no
 * other row can have to go before them. They stay in the outbox until the broker has them, so a
 * failed produce or a crash leaves them to the poll; a poll that reads one still waiting here sends
 * it in its place, and one a poll read before its handover came is not sent again, even once the
 * poll has deleted it.
 */
export class OutboxPublisher {
  private client?: Client;
  private producer?: RecordProducer;
  private readonly namespace: TopicNamespace;
  private running = false;
  private leader = false;
  private readonly pause = new WakeableSleep();
  private woken = false;
  private loop?: Promise<void>;
  private lastCleanup = 0;
  private stopListening?: () => void;
  private stopTakingHandovers?: () => void;
  /** Rows handed over by this process's writers, waiting for the loop to produce them. */
  private handedOver: ReadRow[] = [];
  /** Ids of rows polls have read: the poll sends them, so their handover is left out when it comes later. */
  private readonly readByPolls = new RecencyBoundedMap<true>(POLLED_IDS_REMEMBERED);
  /** A commit, a NOTIFY, the backstop or a failure asks for a poll; rows handed over do not. */
  private pollWanted = true;
  /** When `published` stopped being empty: handed-over rows, which no poll follows, are deleted this long after. */
  private publishedSince = 0;
  /** A standby owes the leader a NOTIFY for commits of this process. */
  private notifyWanted = false;
  /** The last drain stopped at a committed row whose transaction is newer than one still open. */
  private heldBack = false;
  /** Ids of rows the broker has acknowledged and that are still in the outbox: the next poll deletes them. */
  private published: string[] = [];

  constructor(private readonly options: OutboxPublisherOptions) {
    this.namespace = options.namespace ?? new TopicNamespace();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    this.client = await this.connect();
    this.producer = this.newProducer();
    this.running = true;
    this.stopListening = onOutboxCommitted(this.options.schema, () => this.onLocalCommit());
    this.stopTakingHandovers = onOutboxFirstRowsCommitted(this.options.schema, (rows) => this.takeHandover(rows));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopListening?.();
    this.stopTakingHandovers?.();
    this.wakeUp();
    await this.loop;
    if (this.leader) await this.deletePublished().catch(() => undefined);
    await this.producer?.close().catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * A transaction of this process committed outbox rows. The leader just wakes up; a standby replica
   * tells the leader with a NOTIFY of its own, outside the writer's transaction. Its loop sends it
   * with its next try for the lock: the session runs one statement at a time, and commits that come
   * meanwhile share the NOTIFY.
   */
  private onLocalCommit(): void {
    if (this.leader) return this.wakeUp();
    this.notifyWanted = true;
    this.woken = true;
    this.pause.wake();
  }

  /** The leader keeps handed-over rows to produce them; a standby leaves them to the leader, as any commit. */
  private takeHandover(rows: readonly CommittedOutboxRow[]): void {
    if (!this.leader) return this.onLocalCommit();
    for (const row of rows) if (!this.readByPolls.get(row.id)) this.handedOver.push(readRowOf(row));
    this.woken = true;
    this.pause.wake();
  }

  /** Wakes the loop for a poll. */
  private wakeUp(): void {
    this.pollWanted = true;
    this.woken = true;
    this.pause.wake();
  }

  /** The session holds the lock and the LISTEN; when it drops, both are gone and the loop opens a new one. */
  private async connect(): Promise<Client> {
    const client = new Client(outboxPublisherSession(this.options));
    client.on('error', (error) => this.options.log.error({ error: error.message }, 'outbox publisher connection failed'));
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.leader = false;
    });
    try {
      await client.connect();
      client.on('notification', () => this.wakeUp());
      await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async run(): Promise<void> {
    // A backstop only: commits of this process wake the publisher at once, a standby's by NOTIFY.
    const interval = this.options.pollIntervalMs ?? 1_000;
    while (this.running) {
      this.woken = false;
      try {
        if (!this.client) this.client = await this.connect();
        if (!this.leader) this.leader = await this.tryLock();
        if (!this.leader) this.handedOver = [];
        const drained = this.leader ? await this.publish() : { left: 0, more: false };
        // Polling again right after a drain that emptied its window would find nothing: rows committed
        // since then have woken the publisher already (this.woken), and that is the only way in.
        if (drained.more) this.pollWanted = true;
        if (drained.more || (drained.left > 0 && this.woken)) continue;
        if (this.leader && this.heldBack) {
          // Committed rows wait for an older transaction still open elsewhere; it is usually about to end.
          await this.pause.sleep(HELD_BACK_RETRY_MS);
          this.pollWanted = true;
          continue;
        }
        if (this.leader) await this.cleanup();
        if (this.leader && this.published.length > 0 && !this.woken) {
          // No commit came to carry the delete: rows stay at most this long after they are sent.
          await this.pause.sleep(DELETE_DEFERRAL_MS);
          if (!this.woken) await this.deletePublished();
        }
      } catch (error) {
        this.pollWanted = true;
        this.options.log.error(
          { outbox: this.options.schema, error: error instanceof Error ? error.message : String(error) },
          'outbox publish failed; retrying',
        );
      }
      // A standby tries for the lock every 2 s: that bounds how long an outbox waits after its leader dies.
      if (!this.woken) await this.pause.sleep(this.leader ? interval : 2_000);
      if (!this.woken) this.pollWanted = true;
    }
  }

  /** Produces the rows handed over, then polls the outbox if something asked for a poll. */
  private async publish(): Promise<{ left: number; more: boolean }> {
    const handed = await this.publishHandedOver();
    if (!this.pollWanted) return { left: handed, more: false };
    this.pollWanted = false;
    const drained = await this.drainOnce();
    return { left: handed + drained.left, more: drained.more };
  }

  /**
   * Rows the broker did not take stay in the outbox: the poll sends them, in id order. Without polls
   * to carry their delete, published rows get one of their own every DELETE_DEFERRAL_MS.
   */
  private async publishHandedOver(): Promise<number> {
    if (this.handedOver.length === 0) return 0;
    const rows = this.handedOver;
    this.handedOver = [];
    try {
      const { done, cutShort } = await this.send(rows);
      if (cutShort) this.pollWanted = true;
      else if (!this.pollWanted && Date.now() - this.publishedSince >= DELETE_DEFERRAL_MS) await this.deletePublished();
      return done;
    } catch (error) {
      this.pollWanted = true;
      throw error;
    }
  }

  /** Deleted, not marked: an UPDATE would write every envelope to the WAL a second time. */
  private async deletePublished(): Promise<void> {
    if (this.published.length === 0 || !this.client) return;
    await this.client.query({
      name: `outbox-delete-${this.options.schema}`,
      text: `DELETE FROM "${this.options.schema}".outbox WHERE id = ANY($1::bigint[])`,
      values: [this.published],
    });
    this.published = [];
  }

  /** Sends the NOTIFY a standby owes in the same statement. */
  private async tryLock(): Promise<boolean> {
    const notify = this.notifyWanted;
    this.notifyWanted = false;
    const lock = `outbox:${this.options.schema}`;
    try {
      const { rows } = await this.client!.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext($1)) AS locked${notify ? `, pg_notify($2, '')` : ''}`,
        notify ? [lock, outboxChannel(this.options.schema)] : [lock],
      );
      return rows[0].locked;
    } catch (error) {
      this.notifyWanted ||= notify;
      throw error;
    }
  }

  /**
   * Publishes one batch. `left`: rows that left the outbox (published or set aside); `more`: rows
   * it read are still there (a full window, or a request cut short), so the next poll has work.
   */
  async drainOnce(): Promise<{ left: number; more: boolean }> {
    const { schema } = this.options;
    const batchSize = this.options.batchSize ?? 2_000;
    const { rows: found } = await this.client!.query<Partial<OutboxRow> & { first_held: string | null }>({
      // Named, so the session plans it once rather than on every poll.
      name: `outbox-candidates-${schema}`,
      text: outboxCandidatesSql(schema),
      values: [batchSize, this.published],
    });
    // Deleted by that statement; this loop is the only writer of the list, so nothing joined it meanwhile.
    this.published = [];
    this.heldBack = found[0]?.first_held != null;
    const rows = found
      .filter((r): r is OutboxRow & { first_held: string | null } => r.id != null)
      .map((r): ReadRow => ({ ...r, envelope: JSON.parse(r.value) as Envelope }));
    outboxPolls.inc({ outbox: schema, outcome: rows.length > 0 ? 'rows' : this.heldBack ? 'held_back' : 'empty' });
    if (rows.length === 0) return { left: 0, more: false };
    for (const row of rows) this.readByPolls.set(row.id, true);
    this.forgetHandedOver(rows);
    const { done, cutShort } = await this.send(rows);
    return { left: done, more: cutShort || found.length >= batchSize };
  }

  /** Rows handed over while the poll ran that it read as well: it sends them, so they are not sent twice. */
  private forgetHandedOver(polled: readonly ReadRow[]): void {
    if (this.handedOver.length === 0) return;
    const ids = new Set(polled.map((r) => r.id));
    this.handedOver = this.handedOver.filter((r) => !ids.has(r.id));
  }

  /**
   * Produces rows in id order, in requests bounded by bytes; `done`: rows that left the outbox,
   * `cutShort`: a request stopped at a row it set aside, and the rows after it are still there.
   */
  private async send(rows: readonly ReadRow[]): Promise<{ done: number; cutShort: boolean }> {
    const { schema } = this.options;
    const maxBytes = this.options.maxRequestBytes ?? 900_000;
    let done = 0;
    for (const request of cutByBytes(rows, maxBytes)) {
      const sent = await this.produce(request);
      recordOutboxPublishDelays(schema, sent);
      if (this.published.length === 0) this.publishedSince = Date.now();
      this.published.push(...sent.map((r) => r.id));
      for (const row of sent) outboxPublished.inc({ outbox: schema, topic: row.topic });
      if (debugEnabled(this.options.log))
        for (const row of sent)
          this.options.log.debug({ ...messageLogFields(row.envelope), topic: row.topic, outbox: schema }, 'published');
      done += sent.length;
      if (sent.length < request.length) return { done, cutShort: true };
    }
    return { done, cutShort: false };
  }

  /**
   * Produces a request; returns the rows that left the outbox. When the broker refuses a request for
   * what a message is, the rows go one by one so the culprit can be set aside and the others pass.
   */
  private async produce(rows: ReadRow[]): Promise<ReadRow[]> {
    try {
      await this.producer!.send(toRecords(rows, this.namespace));
      return rows;
    } catch (error) {
      if (hasBrokerError(error, PRODUCER_STATE_LOST)) await this.replaceProducer(error);
      if (!hasBrokerError(error, UNPRODUCIBLE)) throw error;
      if (rows.length > 1) {
        const left: ReadRow[] = [];
        for (const row of rows) {
          const sent = await this.produce([row]);
          if (sent.length === 0) break;
          left.push(...sent);
        }
        return left;
      }
      await this.setAside(rows[0], error);
      return [];
    }
  }

  /** The rows stay unpublished; the next pass sends them with the new producer. */
  private async replaceProducer(error: unknown): Promise<void> {
    this.options.log.warn(
      { outbox: this.options.schema, error: error instanceof Error ? error.message : String(error) },
      'the broker lost track of the outbox producer; starting a new one',
    );
    const old = this.producer;
    this.producer = this.newProducer();
    await old?.close().catch(() => undefined);
  }

  private newProducer(): RecordProducer {
    return new RecordProducer(this.options.clientId, this.options.brokers);
  }

  private async setAside(row: OutboxRow, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.client!.query(
      `UPDATE "${this.options.schema}".outbox SET published_at = now(), set_aside_at = now(), set_aside_error = $2 WHERE id = $1`,
      [row.id, message.slice(0, 2_000)],
    );
    outboxSetAside.inc({ outbox: this.options.schema, topic: row.topic });
    this.options.log.error(
      { outbox: this.options.schema, id: row.id, topic: row.topic, bytes: row.bytes, error: message },
      'outbox row set aside: the broker cannot take it',
    );
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const retention = this.options.retentionMs ?? 24 * 3_600_000;
    await this.client!.query(
      `DELETE FROM "${this.options.schema}".outbox WHERE published_at < now() - ($1 || ' milliseconds')::interval AND set_aside_at IS NULL`,
      [String(retention)],
    );
  }
}

/** A handed-over row as a poll would have read it; its value is the same JSON, in the writer's key order rather than jsonb's. */
function readRowOf(row: CommittedOutboxRow): ReadRow {
  const value = JSON.stringify(row.envelope);
  const key = row.envelope.aggregateId;
  return {
    id: row.id,
    topic: row.topic,
    message_key: key,
    value,
    bytes: Buffer.byteLength(value) + Buffer.byteLength(key) + RECORD_OVERHEAD_BYTES,
    traceparent: row.traceparent,
    envelope: row.envelope,
  };
}

/** In id order; the producer keeps that order within each partition. */
function toRecords(rows: readonly ReadRow[], namespace: TopicNamespace): ProducedRecord[] {
  return rows.map((row) => {
    const headers = encodeHeaders(row.envelope);
    return {
      topic: namespace.physical(row.topic),
      key: row.message_key,
      value: row.value,
      headers: row.traceparent ? { ...headers, traceparent: row.traceparent } : headers,
    };
  });
}

/**
 * The publisher's session walks the outbox's id index and never scans its heap. Published rows are
 * deleted, and until a vacuum their dead tuples stay in the heap, while the table's statistics say
 * it is nearly empty (a queue): the planner then picks a sequential or bitmap scan, whose cost grows
 * with everything published since the last vacuum (2 ms a poll in scheduler-core at 200 calls/s, its
 * most expensive statement, and more as a run goes on). An index walk visits each dead entry's heap
 * tuple once and marks it dead in the index, so a poll costs the live rows and what the last poll
 * deleted. The session runs nothing that needs a sequential scan but the rare retention cleanup.
 * Its two statements are planned once per session (generic plans).
 *
 * Its commits do not wait for the WAL flush (`synchronous_commit=off`, this session only). All it
 * writes is the deletion of rows already produced (and the rare set-aside mark): if a crash loses
 * the last few of those commits, the rows come back and are produced again, which a crash between
 * produce and delete already does and every consumer absorbs by messageId. Waiting cost a WAL flush
 * per poll that deleted (0.8–1.7 of 3.8–4.7 flushes per call at 200 calls/s), before its rows could
 * go out; the WAL writer now flushes them with others.
 * What the apps write for a call (submissions, events, attempts, results) still commits durably.
 */
export const OUTBOX_PUBLISHER_SESSION_OPTIONS = `-c enable_seqscan=off -c enable_bitmapscan=off -c synchronous_commit=off ${GENERIC_PLANS}`;

/** How the publisher connects: its own session, named after its outbox, with the options above. */
export function outboxPublisherSession(options: Pick<OutboxPublisherOptions, 'databaseUrl' | 'schema'>): ClientConfig {
  return {
    connectionString: options.databaseUrl,
    application_name: `outbox-publisher:${options.schema}`,
    options: OUTBOX_PUBLISHER_SESSION_OPTIONS,
  };
}

/**
 * The rows a poll may publish: the first `$1` unpublished rows in id order, cut at the first one
 * whose transaction is not older than every open one (`xid < pg_snapshot_xmin`). It stops at that
 * row rather than skipping it: a later row may come from a transaction that got its xid earlier but
 * wrote after that row committed, and must not overtake it. The held-back boundary only matters
 * inside the rows read, so it is found there, in SQL, and only the publishable prefix becomes text.
 *
 * There is no "after the last id sent" bound, on purpose: concurrent transactions draw interleaved
 * ids, so a transaction that commits later can hold ids below rows already sent, and its rows must
 * still go out in id order. With such a bound, in a benchmark run, a call's ExecuteServiceCall went
 * out while its ServiceCallSubmitted and ExecutionRequested (lower ids, same transaction) waited, and
 * its ServiceCallSucceeded reached the events topic before them.
 *
 * The same statement deletes the rows the last poll published (`$2`): their delete costs no round
 * trip of its own. The rest of the statement sees the table as it was before that delete, hence
 * `id <> ALL($2)`.
 */
export function outboxCandidatesSql(schema: string): string {
  return `WITH gone AS (
     DELETE FROM "${schema}".outbox WHERE id = ANY($2::bigint[])),
   window_ AS (
     SELECT id, xid, topic, message_key, envelope, traceparent FROM "${schema}".outbox
      WHERE published_at IS NULL AND id <> ALL($2::bigint[]) ORDER BY id LIMIT $1),
   boundary AS (
     SELECT min(id) AS first_held FROM window_ WHERE xid >= pg_snapshot_xmin(pg_current_snapshot()))
   SELECT b.first_held, o.* FROM boundary b LEFT JOIN LATERAL (
     SELECT c.*, octet_length(c.value) + octet_length(c.message_key) + ${RECORD_OVERHEAD_BYTES} AS bytes FROM (
       SELECT w.id, w.topic, w.message_key, w.envelope::text AS value, w.traceparent
         FROM window_ w
        WHERE b.first_held IS NULL OR w.id < b.first_held
        ORDER BY w.id) c) o ON true`;
}
