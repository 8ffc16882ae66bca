import { createHash, randomUUID } from 'node:crypto';
import {
  COMMAND_SCHEMA_VERSION,
  newEnvelope,
  SubmitServiceCall,
  SubmitServiceCallPayload,
  TargetRequest,
  TOPICS,
} from '@app/common/contracts';
import { Clock } from '@app/common/clock';
import { isTransientDatabaseError, namedQuery, withConnection, WriteCoalescer } from '@app/common/database';
import { outboxFirstRowsCommitted, outboxInsert } from '@app/common/outbox';
import { traceContexts } from '@app/common/tracing';
import { redactTarget, TargetSealer } from '@app/common/secrets';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA as S } from '../gateway.schema';
import { AcceptedCall } from './accepted-call';
import { canonicalJson } from './canonical-json';
import { SubmitServiceCallRequestDto } from './submit-service-call.request.dto';

export interface Submission {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly request: SubmitServiceCallRequestDto;
  readonly requestId: string;
  readonly correlationId: string;
}

/** What became of a submission; the HTTP edge maps each kind to its answer. */
export type SubmissionOutcome =
  | { readonly kind: 'accepted' | 'replayed'; readonly id: string }
  /** The Idempotency-Key was used before with a different request body. */
  | { readonly kind: 'key-reused' };

interface PreparedSubmission {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly id: string;
  readonly accepted: AcceptedCall;
  readonly envelope: SubmitServiceCall;
  readonly correlationId: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A submission that comes within this many ms of the one before waits as long for others to share
 * its statement, and with it the produce request and every later stage's cycle (ADR-0013,
 * amendment of 2026-12-07, sixth stop): a little over 10 ms, so that from about 100 submissions a
 * second on they go at least in pairs. One after a longer gap is written at once.
 */
const SUBMISSION_LINGER_MS = 11;

/**
 * Accepts calls: each idempotency row and its SubmitServiceCall outbox row commit together, so a
 * call is either accepted and on its way, or not accepted at all; a replay returns the first id.
 * Concurrent submissions, and at load those close in time, share one statement (group commit: one
 * round trip and one commit for all of them).
 */
export class ServiceCallSubmissions {
  private readonly writer = new WriteCoalescer<PreparedSubmission, SubmissionOutcome>(
    (batch) => this.writeAll(batch),
    (error) => !isTransientDatabaseError(error),
    { lingerWhileBusyMs: SUBMISSION_LINGER_MS },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly sealer: TargetSealer,
    private readonly log: PinoLogger,
    private readonly clock: Clock,
  ) {}

  submit(s: Submission): Promise<SubmissionOutcome> {
    return this.writer.write(this.prepare(s));
  }

  private prepare(s: Submission): PreparedSubmission {
    const id = randomUUID();
    const now = this.clock.now();
    const target = toTargetRequest(s.request);
    const accepted: AcceptedCall = {
      target: redactTarget(target),
      tags: s.request.tags ?? [],
      dueAt: s.request.dueAt ? new Date(s.request.dueAt).toISOString() : null,
      timeoutMs: s.request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      submittedAt: now.toISOString(),
    };
    const payload: SubmitServiceCallPayload = { serviceCallId: id, sealedTarget: this.sealer.seal(target), ...accepted };
    const envelope = newEnvelope({
      type: 'SubmitServiceCall',
      tenantId: s.tenantId,
      serviceCallId: id,
      payload,
      schemaVersion: COMMAND_SCHEMA_VERSION,
      cause: { messageId: s.requestId, correlationId: s.correlationId },
      timestamp: now,
    });
    const requestHash = createHash('sha256').update(canonicalJson(s.request)).digest('hex');
    return {
      tenantId: s.tenantId,
      idempotencyKey: s.idempotencyKey,
      requestHash,
      id,
      accepted,
      envelope,
      correlationId: s.correlationId,
    };
  }

  /**
   * One statement, so one round trip and one commit for the whole batch: the idempotency rows, the
   * outbox rows of those that were new, and the keys used before (as of before this statement).
   */
  private async writeAll(batch: readonly PreparedSubmission[]): Promise<SubmissionOutcome[]> {
    const input = batch.map((p) => ({
      tenant_id: p.tenantId,
      idempotency_key: p.idempotencyKey,
      request_hash: p.requestHash,
      service_call_id: p.id,
      accepted: p.accepted,
      topic: TOPICS.commands,
      message_id: p.envelope.messageId,
      envelope: p.envelope,
      traceparent: traceContexts.follow(p.envelope.messageId, p.envelope.causationId) ?? null,
    }));
    const rows: WrittenRow[] = await withConnection(this.dataSource, (manager) =>
      namedQuery<WrittenRow>(manager, submissionsSql(S), [JSON.stringify(input)]),
    );
    // New submissions, by id, with their outbox row's id.
    const fresh = new Map(rows.filter((r) => r.kind === 'new').map((r) => [r.service_call_id, r.outbox_id!]));
    const handedOver = input.filter((i) => fresh.has(i.service_call_id));
    if (handedOver.length > 0)
      outboxFirstRowsCommitted(
        S,
        handedOver.map((i) => ({
          id: fresh.get(i.service_call_id)!,
          topic: i.topic,
          envelope: i.envelope,
          traceparent: i.traceparent,
        })),
      );
    const byKey = new Map<string, { request_hash: string; service_call_id: string }>();
    for (const r of rows) if (r.kind === 'earlier') byKey.set(`${r.tenant_id}\u0000${r.idempotency_key}`, r);
    // A key used twice within this batch: the first use is new here, invisible to the statement's own read.
    for (const p of batch)
      if (fresh.has(p.id))
        byKey.set(`${p.tenantId}\u0000${p.idempotencyKey}`, { request_hash: p.requestHash, service_call_id: p.id });
    return batch.map((p): SubmissionOutcome => {
      if (fresh.has(p.id)) {
        this.log.debug(
          {
            serviceCallId: p.id,
            tenantId: p.tenantId,
            messageId: p.envelope.messageId,
            correlationId: p.correlationId,
            causationId: p.envelope.causationId,
          },
          'service call accepted',
        );
        return { kind: 'accepted', id: p.id };
      }
      const first = byKey.get(`${p.tenantId}\u0000${p.idempotencyKey}`);
      if (!first) throw new Error(`idempotency key of ${p.tenantId} neither inserted nor found`);
      if (first.request_hash !== p.requestHash) return { kind: 'key-reused' };
      this.log.info(
        { serviceCallId: first.service_call_id, tenantId: p.tenantId, correlationId: p.correlationId },
        'idempotent replay',
      );
      return { kind: 'replayed', id: first.service_call_id };
    });
  }
}

interface WrittenRow {
  readonly kind: 'new' | 'earlier';
  /** The outbox row's id, for a new submission: its SubmitServiceCall starts its key, so it is handed over to the publisher. */
  readonly outbox_id: string | null;
  readonly service_call_id: string;
  readonly tenant_id: string;
  readonly idempotency_key: string;
  readonly request_hash: string;
}

function toTargetRequest({ target }: SubmitServiceCallRequestDto): TargetRequest {
  const body =
    target.body === undefined ? undefined : typeof target.body === 'string' ? target.body : JSON.stringify(target.body);
  return { method: target.method, url: target.url, headers: target.headers ?? {}, ...(body === undefined ? {} : { body }) };
}

/**
 * The submissions statement (see writeAll); exported so its plan can be checked against real tables.
 * $1 is the JSON array of the batch's rows.
 */
export function submissionsSql(schema: string): string {
  return `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
           tenant_id text, idempotency_key text, request_hash text, service_call_id text, accepted jsonb, topic text, message_id uuid, envelope jsonb,
           traceparent text)),
       inserted AS (
         INSERT INTO "${schema}".idempotency_keys (tenant_id, idempotency_key, request_hash, service_call_id, accepted)
         SELECT tenant_id, idempotency_key, request_hash, service_call_id, accepted FROM input
         ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
         RETURNING service_call_id),
       queued AS (
         ${outboxInsert(schema)}
         SELECT i.topic, i.service_call_id, i.message_id, i.envelope, i.traceparent FROM input i JOIN inserted USING (service_call_id)
         RETURNING id, message_key)
       SELECT 'new' AS kind, service_call_id, NULL AS tenant_id, NULL AS idempotency_key, NULL AS request_hash, q.id AS outbox_id
         FROM inserted JOIN queued q ON q.message_key = inserted.service_call_id
       UNION ALL
       SELECT 'earlier', k.service_call_id, k.tenant_id, k.idempotency_key, k.request_hash, NULL
         FROM (SELECT DISTINCT tenant_id, idempotency_key FROM input) i
         CROSS JOIN LATERAL (
           -- One key lookup per submission: as a join, the planner (expecting 100 input rows) scanned the whole table.
           SELECT * FROM "${schema}".idempotency_keys k WHERE k.tenant_id = i.tenant_id AND k.idempotency_key = i.idempotency_key LIMIT 1) k`;
}
