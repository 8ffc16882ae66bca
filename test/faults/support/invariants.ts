import { Kafka, logLevel } from '@app/common/messaging/kafkajs';
import { Client } from 'pg';
import { ALL_TOPICS, ServiceCallEventMessage } from '@app/common/contracts';
import { serviceCallViewFromRow, ServiceCallView } from '@app/common/read-model';
import { projectServiceCall } from '../../../apps/projector/src/service-calls/project-service-call';
import { RecordingTarget } from '../../support/recording-target';

const TERMINAL = ['Succeeded', 'Failed', 'Cancelled'];
const TERMINAL_EVENTS = ['ServiceCallSucceeded', 'ServiceCallFailed', 'ServiceCallCancelled'];
const OUTBOXES = ['gateway', 'scheduler_core', 'executor'] as const;

/** What §9 promises, measured after a scenario; a scenario asserts the parts it owes. */
export interface InvariantReport {
  readonly accepted: number;
  readonly byStatus: Record<string, number>;
  /** Failed calls by error code (EXECUTION_INTERRUPTED, ...). */
  readonly failedByCode: Record<string, number>;
  /** Accepted ids with no event stream or no read-model row. */
  readonly lost: string[];
  /** Accepted ids that exist but are not terminal. */
  readonly stuck: string[];
  /** Streams with more than one terminal event. */
  readonly multipleTerminal: string[];
  /** Ids the target received more than once (by Idempotency-Key). */
  readonly duplicates: string[];
  /** Target requests whose Idempotency-Key is no accepted id. */
  readonly unknownRequests: number;
  /** Streams whose versions are not exactly 1..n. */
  readonly versionGaps: string[];
  /** Read-model rows that differ from a fold of their stream, or are missing/extra. */
  readonly readModelMismatches: string[];
  /** Unpublished (and not set-aside) outbox rows per schema. */
  readonly outboxPending: Record<string, number>;
  readonly outboxSetAside: Record<string, number>;
  /** Messages per DLQ topic (logical name). */
  readonly dlq: Record<string, number>;
}

export async function checkInvariants(input: {
  databaseUrl: string;
  brokers: string;
  topicPrefix: string;
  accepted: readonly string[];
  target?: RecordingTarget;
}): Promise<InvariantReport> {
  const db = new Client({ connectionString: input.databaseUrl });
  await db.connect();
  try {
    const events = (
      await db.query(
        `SELECT tenant_id, stream_id, version, type, data, metadata FROM scheduler_core.events ORDER BY tenant_id, stream_id, version`,
      )
    ).rows as EventRow[];
    const rows = (await db.query(`SELECT * FROM projector.service_calls`)).rows as Record<string, unknown>[];
    const streams = groupBy(events, (e) => e.stream_id);
    const views = new Map(rows.map((r) => [r.id as string, serviceCallViewFromRow(r)]));

    const byStatus: Record<string, number> = {};
    const failedByCode: Record<string, number> = {};
    const lost: string[] = [];
    const stuck: string[] = [];
    // A gateway killed after its commit but before its answer accepted calls its client never heard
    // of: the system owes them a terminal state all the same, so they are checked like the rest.
    const { rows: committed } = await db.query<{ id: string }>(`SELECT service_call_id AS id FROM gateway.idempotency_keys`);
    const knownToClient = new Set(input.accepted);
    // byStatus counts the calls this load saw accepted; the others are only checked for lost or stuck.
    const acceptedByTheSystem = [...new Set([...input.accepted, ...committed.map((r) => r.id)])];
    for (const id of acceptedByTheSystem) {
      const view = views.get(id);
      if (!streams.has(id) || !view) {
        lost.push(id);
        continue;
      }
      if (!knownToClient.has(id)) {
        if (!TERMINAL.includes(view.status)) stuck.push(id);
        continue;
      }
      byStatus[view.status] = (byStatus[view.status] ?? 0) + 1;
      if (view.status === 'Failed') {
        const code = (view.result as { error?: { code?: string } } | null)?.error?.code ?? 'unknown';
        failedByCode[code] = (failedByCode[code] ?? 0) + 1;
      }
      if (!TERMINAL.includes(view.status)) stuck.push(id);
    }

    const multipleTerminal: string[] = [];
    const versionGaps: string[] = [];
    const readModelMismatches: string[] = [];
    for (const [id, stream] of streams) {
      if (stream.filter((e) => TERMINAL_EVENTS.includes(e.type)).length > 1) multipleTerminal.push(id);
      if (stream.some((e, i) => e.version !== i + 1)) versionGaps.push(id);
      let folded: ServiceCallView | null = null;
      for (const e of stream) folded = projectServiceCall(folded, toMessage(e));
      const view = views.get(id);
      if (!view || !folded) readModelMismatches.push(`${id}: ${view ? 'no events' : 'no row'}`);
      else if (canonical(comparable(folded)) !== canonical(comparable(view))) {
        readModelMismatches.push(`${id}: row ${canonical(comparable(view))} != fold ${canonical(comparable(folded))}`);
      }
    }
    for (const id of views.keys()) if (!streams.has(id)) readModelMismatches.push(`${id}: row without events`);

    const outboxPending: Record<string, number> = {};
    const outboxSetAside: Record<string, number> = {};
    for (const schema of OUTBOXES) {
      const {
        rows: [r],
      } = await db.query(
        `SELECT count(*) FILTER (WHERE published_at IS NULL AND set_aside_at IS NULL)::int AS pending,
                count(*) FILTER (WHERE set_aside_at IS NOT NULL)::int AS set_aside FROM "${schema}".outbox`,
      );
      outboxPending[schema] = r.pending;
      outboxSetAside[schema] = r.set_aside;
    }

    const acceptedSet = new Set(acceptedByTheSystem);
    const seen = new Map<string, number>();
    let unknownRequests = 0;
    for (const req of input.target?.received ?? []) {
      const key = String(req.headers['idempotency-key'] ?? '');
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (!acceptedSet.has(key)) unknownRequests++;
    }
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([k]) => k);

    return {
      accepted: input.accepted.length,
      byStatus,
      failedByCode,
      lost,
      stuck,
      multipleTerminal,
      duplicates,
      unknownRequests,
      versionGaps,
      readModelMismatches,
      outboxPending,
      outboxSetAside,
      dlq: await dlqDepths(input.brokers, input.topicPrefix),
    };
  } finally {
    await db.end();
  }
}

/** Polls until every accepted call is terminal in the read model and every outbox is drained; returns how long that took. */
export async function waitUntilSettled(
  databaseUrl: string,
  accepted: readonly string[],
  timeoutMs: number,
): Promise<{ settled: boolean; ms: number }> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const db = new Client({ connectionString: databaseUrl });
    try {
      await db.connect();
      const {
        rows: [t],
      } = await db.query(
        `SELECT count(*)::int AS n FROM projector.service_calls WHERE id = ANY($1::text[]) AND status = ANY($2::text[])`,
        [accepted, TERMINAL],
      );
      const pending: number[] = [];
      for (const s of OUTBOXES) {
        pending.push(
          (
            await db.query(
              `SELECT count(*)::int AS n FROM "${s}".outbox WHERE published_at IS NULL AND set_aside_at IS NULL`,
            )
          ).rows[0].n as number,
        );
      }
      if (t.n === accepted.length && pending.every((n) => n === 0)) return { settled: true, ms: Date.now() - started };
    } catch {
      // the database may be restarting
    } finally {
      await db.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { settled: false, ms: Date.now() - started };
}

export async function dlqDepths(brokers: string, topicPrefix: string): Promise<Record<string, number>> {
  const kafka = new Kafka({ clientId: 'faults-invariants', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const depths: Record<string, number> = {};
    for (const topic of ALL_TOPICS.filter((t) => t.includes('.dlq.'))) {
      const offsets = await admin.fetchTopicOffsets(`${topicPrefix}${topic}`);
      depths[topic] = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    }
    return depths;
  } finally {
    await admin.disconnect();
  }
}

/** A one-line summary for logs and docs/reliability.md. */
export function summarize(r: InvariantReport): Record<string, unknown> {
  return {
    accepted: r.accepted,
    byStatus: r.byStatus,
    failedByCode: r.failedByCode,
    lost: r.lost.length,
    stuck: r.stuck.length,
    multipleTerminal: r.multipleTerminal.length,
    duplicates: r.duplicates.length,
    unknownRequests: r.unknownRequests,
    versionGaps: r.versionGaps.length,
    readModelMismatches: r.readModelMismatches.length,
    outboxPending: r.outboxPending,
    outboxSetAside: r.outboxSetAside,
    dlq: r.dlq,
  };
}

interface EventRow {
  tenant_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: unknown;
  metadata: { messageId: string; correlationId: string; causationId: string; schemaVersion: number; timestamp: string };
}

function toMessage(e: EventRow): ServiceCallEventMessage {
  return {
    messageId: e.metadata.messageId,
    tenantId: e.tenant_id,
    aggregateType: 'ServiceCall',
    aggregateId: e.stream_id,
    type: e.type,
    schemaVersion: e.metadata.schemaVersion,
    timestamp: e.metadata.timestamp,
    correlationId: e.metadata.correlationId,
    causationId: e.metadata.causationId,
    version: e.version,
    payload: e.data,
  } as ServiceCallEventMessage;
}

/** The fields the read model owes exactly; times normalised to ISO so timestamptz round trips compare equal. */
function comparable(v: ServiceCallView): Record<string, unknown> {
  const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());
  return {
    tenantId: v.tenantId,
    id: v.id,
    status: v.status,
    version: v.version,
    attempts: v.attempts,
    method: v.target.method,
    url: v.target.url,
    dueAt: iso(v.dueAt),
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
    startedAt: iso(v.startedAt),
    finishedAt: iso(v.finishedAt),
    result: v.result,
  };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Every breach of §9 in the report, as readable lines; a clean run gives []. `allowDlq` lists DLQ topics a scenario fills on purpose. */
export function violations(r: InvariantReport, options: { allowDlq?: readonly string[] } = {}): string[] {
  const out: string[] = [];
  const some = (ids: readonly string[]) => `${ids.length} (e.g. ${ids.slice(0, 3).join(', ')})`;
  if (r.lost.length) out.push(`lost: ${some(r.lost)}`);
  if (r.stuck.length) out.push(`stuck: ${some(r.stuck)}`);
  if (r.multipleTerminal.length) out.push(`more than one terminal event: ${some(r.multipleTerminal)}`);
  if (r.duplicates.length) out.push(`target called more than once: ${some(r.duplicates)}`);
  if (r.unknownRequests) out.push(`target called for ${r.unknownRequests} ids that were never accepted`);
  if (r.versionGaps.length) out.push(`stream versions not contiguous: ${some(r.versionGaps)}`);
  if (r.readModelMismatches.length)
    out.push(`read model != fold: ${r.readModelMismatches.length}; ${r.readModelMismatches.slice(0, 2).join(' | ')}`);
  for (const [schema, n] of Object.entries(r.outboxPending)) if (n) out.push(`${schema}.outbox: ${n} unpublished rows`);
  for (const [topic, n] of Object.entries(r.dlq))
    if (n && !options.allowDlq?.includes(topic)) out.push(`${topic}: ${n} messages`);
  return out;
}
