import { CancelServiceCallPayload, COMMAND_SCHEMA_VERSION, newEnvelope, TOPICS } from '@app/common/contracts';
import { appendToOutbox } from '@app/common/outbox';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../gateway.schema';
import { ApiError } from '../http/api-error';
import { ServiceCallQueries } from './service-call-queries';

const STARTED = new Set(['Running', 'Succeeded', 'Failed']);

/**
 * Asks scheduler-core to cancel a call that has not started. The answer reflects what the read
 * model shows now; scheduler-core makes the final decision (a call that starts meanwhile is not cancelled).
 */
export class ServiceCallCancellations {
  constructor(private readonly dataSource: DataSource, private readonly queries: ServiceCallQueries) {}

  async cancel(tenantId: string, id: string, cause: { requestId: string; correlationId: string }): Promise<{ id: string; status: string; requested: boolean }> {
    const call = await this.queries.findById(tenantId, id);
    if (!call) throw new ApiError(404, 'NOT_FOUND', 'no such service call');
    if (STARTED.has(call.status)) throw new ApiError(409, 'CALL_ALREADY_STARTED', `the call is ${call.status} and can no longer be cancelled`);
    if (call.status === 'Cancelled') return { id, status: 'Cancelled', requested: false };
    const now = new Date();
    const payload: CancelServiceCallPayload = { serviceCallId: id, requestedAt: now.toISOString() };
    await this.dataSource.transaction((manager) =>
      appendToOutbox(manager, GATEWAY_SCHEMA, [{
        topic: TOPICS.commands,
        envelope: newEnvelope({
          type: 'CancelServiceCall', tenantId, serviceCallId: id, payload, schemaVersion: COMMAND_SCHEMA_VERSION,
          cause: { messageId: cause.requestId, correlationId: cause.correlationId }, timestamp: now,
        }),
      }]),
    );
    return { id, status: call.status, requested: true };
  }
}
