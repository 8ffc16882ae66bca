import { createHash, randomUUID } from 'node:crypto';
import { COMMAND_SCHEMA_VERSION, newEnvelope, SubmitServiceCallPayload, TargetRequest, TOPICS } from '@app/common/contracts';
import { appendToOutbox } from '@app/common/outbox';
import { redactTarget, TargetSealer } from '@app/common/secrets';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA as S } from '../gateway.schema';
import { ApiError } from '../http/api-error';
import { canonicalJson } from './canonical-json';
import { AcceptedCall } from './accepted-call';
import { SubmitServiceCallRequestDto } from './submit-service-call.request.dto';

export interface Submission {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly request: SubmitServiceCallRequestDto;
  readonly requestId: string;
  readonly correlationId: string;
}

export type SubmissionOutcome = { readonly kind: 'accepted' | 'replayed'; readonly id: string };

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Accepts a call: the idempotency row and the SubmitServiceCall outbox row commit together, so a
 * call is either accepted and on its way, or not accepted at all. A replay returns the first id.
 */
export class ServiceCallSubmissions {
  constructor(private readonly dataSource: DataSource, private readonly sealer: TargetSealer, private readonly log: PinoLogger) {}

  async submit(s: Submission): Promise<SubmissionOutcome> {
    const requestHash = createHash('sha256').update(canonicalJson(s.request)).digest('hex');
    const id = randomUUID();
    const now = new Date();
    const target = toTargetRequest(s.request);
    const accepted: AcceptedCall = {
      target: redactTarget(target),
      tags: s.request.tags ?? [],
      dueAt: s.request.dueAt ? new Date(s.request.dueAt).toISOString() : null,
      timeoutMs: s.request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      submittedAt: now.toISOString(),
    };
    return this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO "${S}".idempotency_keys (tenant_id, idempotency_key, request_hash, service_call_id, accepted)
         VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING service_call_id`,
        [s.tenantId, s.idempotencyKey, requestHash, id, JSON.stringify(accepted)],
      );
      if (inserted.length === 0) return this.replay(manager, s, requestHash);
      const payload: SubmitServiceCallPayload = { serviceCallId: id, sealedTarget: this.sealer.seal(target), ...accepted };
      const envelope = newEnvelope({
        type: 'SubmitServiceCall', tenantId: s.tenantId, serviceCallId: id, payload, schemaVersion: COMMAND_SCHEMA_VERSION,
        cause: { messageId: s.requestId, correlationId: s.correlationId }, timestamp: now,
      });
      await appendToOutbox(manager, S, [{ topic: TOPICS.commands, envelope }]);
      this.log.info({ serviceCallId: id, tenantId: s.tenantId, messageId: envelope.messageId, correlationId: s.correlationId, causationId: s.requestId }, 'service call accepted');
      return { kind: 'accepted', id };
    });
  }

  private async replay(manager: DataSource['manager'], s: Submission, requestHash: string): Promise<SubmissionOutcome> {
    const [row]: { request_hash: string; service_call_id: string }[] = await manager.query(
      `SELECT request_hash, service_call_id FROM "${S}".idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2`,
      [s.tenantId, s.idempotencyKey],
    );
    if (row.request_hash !== requestHash) {
      throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request body');
    }
    this.log.info({ serviceCallId: row.service_call_id, tenantId: s.tenantId, correlationId: s.correlationId }, 'idempotent replay');
    return { kind: 'replayed', id: row.service_call_id };
  }
}

function toTargetRequest({ target }: SubmitServiceCallRequestDto): TargetRequest {
  const body = target.body === undefined ? undefined : typeof target.body === 'string' ? target.body : JSON.stringify(target.body);
  return { method: target.method, url: target.url, headers: target.headers ?? {}, ...(body === undefined ? {} : { body }) };
}
