import { Clock } from '@app/common/clock';
import { CancelServiceCallPayload, COMMAND_SCHEMA_VERSION, newEnvelope, TOPICS } from '@app/common/contracts';
import { appendToOutbox } from '@app/common/outbox';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../gateway.schema';
import { ServiceCallQueries } from './service-call-queries';

/** What became of a cancellation request; the HTTP edge maps each kind to its answer. */
export type CancellationOutcome =
  /** CancelServiceCall is on its way; `status` is what the read model showed. */
  | { readonly kind: 'requested'; readonly id: string; readonly status: string }
  | { readonly kind: 'already-cancelled'; readonly id: string }
  | { readonly kind: 'already-started'; readonly id: string; readonly status: string }
  | { readonly kind: 'not-found' };

/**
 * Read-side precondition only, so that the client hears 409 at once: the rule itself is the
 * domain's (scheduler-core decide.ts rejects CancelServiceCall with CALL_ALREADY_STARTED), which
 * also settles a call that starts after the read model was read.
 */
const hasStarted = (status: string): boolean => status === 'Running' || status === 'Succeeded' || status === 'Failed';

/** Asks scheduler-core to cancel a call that has not started, judging by what the read model shows now. */
export class ServiceCallCancellations {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ServiceCallQueries,
    private readonly clock: Clock,
  ) {}

  async cancel(
    tenantId: string,
    id: string,
    cause: { requestId: string; correlationId: string },
  ): Promise<CancellationOutcome> {
    const call = await this.queries.findById(tenantId, id);
    if (!call) return { kind: 'not-found' };
    if (hasStarted(call.status)) return { kind: 'already-started', id, status: call.status };
    if (call.status === 'Cancelled') return { kind: 'already-cancelled', id };
    const now = this.clock.now();
    const payload: CancelServiceCallPayload = { serviceCallId: id, requestedAt: now.toISOString() };
    await this.dataSource.transaction((manager) =>
      appendToOutbox(manager, GATEWAY_SCHEMA, [
        {
          topic: TOPICS.commands,
          envelope: newEnvelope({
            type: 'CancelServiceCall',
            tenantId,
            serviceCallId: id,
            payload,
            schemaVersion: COMMAND_SCHEMA_VERSION,
            cause: { messageId: cause.requestId, correlationId: cause.correlationId },
            timestamp: now,
          }),
        },
      ]),
    );
    return { kind: 'requested', id, status: call.status };
  }
}
