import { ExecutionResult, RedactedTarget } from '@app/common/contracts';

export type ServiceCallStatus = 'Accepted' | 'Scheduled' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';

/** One row of the read model: what GET /v1/service-calls/{id} shows. */
export interface ServiceCallView {
  readonly tenantId: string;
  readonly id: string;
  readonly status: ServiceCallStatus;
  readonly target: RedactedTarget;
  readonly tags: readonly string[];
  readonly dueAt: string | null;
  readonly timeoutMs: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly result: ExecutionResult | null;
  /** Stream version of the last event applied; the view only moves forward. */
  readonly version: number;
}
