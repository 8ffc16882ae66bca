import { createHash, randomUUID } from 'node:crypto';
import { COMMAND_SCHEMA_VERSION, newEnvelope, SubmitServiceCall, SubmitServiceCallPayload, TargetRequest, TOPICS } from '@app/common/contracts';
import { Clock } from '@app/common/clock';
import { isTransientDatabaseError, WriteCoalescer } from '@app/common/database';
import { appendToOutbox } from '@app/common/outbox';
import { redactTarget, TargetSealer } from '@app/common/secrets';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
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
 * Accepts calls: each idempotency row and its SubmitServiceCall outbox row commit together, so a
 * call is either accepted and on its way, or not accepted at all; a replay returns the first id.
 * Concurrent submissions share one transaction (group commit: one insert per table for all of them).
 */
export class ServiceCallSubmissions {
  private readonly writer = new WriteCoalescer<PreparedSubmission, SubmissionOutcome>(
    (batch) => this.dataSource.transaction((manager) => this.writeAll(manager, batch)),
    (error) => !isTransientDatabaseError(error),
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
      type: 'SubmitServiceCall', tenantId: s.tenantId, serviceCallId: id, payload, schemaVersion: COMMAND_SCHEMA_VERSION,
      cause: { messageId: s.requestId, correlationId: s.correlationId }, timestamp: now,
    });
    const requestHash = createHash('sha256').update(canonicalJson(s.request)).digest('hex');
    return { tenantId: s.tenantId, idempotencyKey: s.idempotencyKey, requestHash, id, accepted, envelope, correlationId: s.correlationId };
  }

  private async writeAll(manager: EntityManager, batch: readonly PreparedSubmission[]): Promise<SubmissionOutcome[]> {
    const rows = batch.map((p) => ({ tenant_id: p.tenantId, idempotency_key: p.idempotencyKey, request_hash: p.requestHash, service_call_id: p.id, accepted: p.accepted }));
    const inserted: { service_call_id: string }[] = await manager.query(
      `INSERT INTO "${S}".idempotency_keys (tenant_id, idempotency_key, request_hash, service_call_id, accepted)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, idempotency_key text, request_hash text, service_call_id text, accepted jsonb)
       ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING service_call_id`,
      [JSON.stringify(rows)],
    );
    const fresh = new Set(inserted.map((r) => r.service_call_id));
    await appendToOutbox(manager, S, batch.filter((p) => fresh.has(p.id)).map((p) => ({ topic: TOPICS.commands, envelope: p.envelope })));
    const earlier = await this.earlierKeys(manager, batch.filter((p) => !fresh.has(p.id)));
    return batch.map((p) => {
      if (fresh.has(p.id)) {
        this.log.debug({ serviceCallId: p.id, tenantId: p.tenantId, messageId: p.envelope.messageId, correlationId: p.correlationId, causationId: p.envelope.causationId }, 'service call accepted');
        return { kind: 'accepted', id: p.id };
      }
      const row = earlier.get(`${p.tenantId}\u0000${p.idempotencyKey}`);
      if (!row) throw new Error(`idempotency key of ${p.tenantId} vanished while replaying`);
      if (row.request_hash !== p.requestHash) return { kind: 'key-reused' };
      this.log.info({ serviceCallId: row.service_call_id, tenantId: p.tenantId, correlationId: p.correlationId }, 'idempotent replay');
      return { kind: 'replayed', id: row.service_call_id };
    });
  }

  /** The first request of each key already used (earlier, or earlier in this same batch). */
  private async earlierKeys(manager: EntityManager, replays: readonly PreparedSubmission[]): Promise<Map<string, { request_hash: string; service_call_id: string }>> {
    if (replays.length === 0) return new Map();
    const rows: { tenant_id: string; idempotency_key: string; request_hash: string; service_call_id: string }[] = await manager.query(
      `SELECT k.tenant_id, k.idempotency_key, k.request_hash, k.service_call_id FROM "${S}".idempotency_keys k
         JOIN unnest($1::text[], $2::text[]) AS r(tenant_id, idempotency_key) USING (tenant_id, idempotency_key)`,
      [replays.map((p) => p.tenantId), replays.map((p) => p.idempotencyKey)],
    );
    return new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.idempotency_key}`, r]));
  }
}

function toTargetRequest({ target }: SubmitServiceCallRequestDto): TargetRequest {
  const body = target.body === undefined ? undefined : typeof target.body === 'string' ? target.body : JSON.stringify(target.body);
  return { method: target.method, url: target.url, headers: target.headers ?? {}, ...(body === undefined ? {} : { body }) };
}
