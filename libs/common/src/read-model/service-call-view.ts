import { ExecutionResult, RedactedTarget } from '../contracts/service-call-target';

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

/** The read model's table: the projector writes it, the gateway reads it (through a read-only role in production). */
export const SERVICE_CALLS_TABLE = 'projector.service_calls';

export const SERVICE_CALL_COLUMNS = `tenant_id, id, status, method, url, headers, tags, due_at, timeout_ms, created_at, updated_at, attempts, started_at, finished_at, result, version`;

const iso = (value: unknown): string | null =>
  value === null || value === undefined ? null : new Date(value as string).toISOString();

export function serviceCallViewFromRow(r: Record<string, unknown>): ServiceCallView {
  return {
    tenantId: r.tenant_id as string,
    id: r.id as string,
    status: r.status as ServiceCallView['status'],
    target: {
      method: r.method as ServiceCallView['target']['method'],
      url: r.url as string,
      headers: r.headers as Record<string, string>,
    },
    tags: r.tags as string[],
    dueAt: iso(r.due_at),
    timeoutMs: r.timeout_ms as number,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    attempts: r.attempts as number,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    result: (r.result ?? null) as ServiceCallView['result'],
    version: r.version as number,
  };
}
