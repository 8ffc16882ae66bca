import { randomUUID } from 'node:crypto';
import { EXECUTION_SCHEMA_VERSION, ExecuteServiceCall, newEnvelope } from '@app/common/contracts';
import { TargetSealer } from '@app/common/secrets';

/** An ExecuteServiceCall of a new call: POST `<base>/call/<serviceCallId>`, sealed as the gateway seals it. */
export function executionMessage(
  sealer: TargetSealer,
  tenantId: string,
  base: string,
  timeoutMs: number,
): ExecuteServiceCall {
  const serviceCallId = randomUUID();
  const request = { method: 'POST' as const, url: `${base}/call/${serviceCallId}`, headers: {} };
  return newEnvelope({
    type: 'ExecuteServiceCall',
    tenantId,
    serviceCallId,
    payload: { serviceCallId, attempt: 1, target: request, sealedTarget: sealer.seal(request), timeoutMs },
    schemaVersion: EXECUTION_SCHEMA_VERSION,
    cause: { messageId: randomUUID(), correlationId: randomUUID() },
    timestamp: new Date(),
  });
}
