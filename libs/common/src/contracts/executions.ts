import { Envelope } from './envelope';
import { RedactedTarget, SealedTarget } from './service-call-target';

/** Sent to scheduler.executions.v1 when a call must run; consumed by the executor. */
export interface ExecuteServiceCallPayload {
  readonly serviceCallId: string;
  readonly attempt: number;
  readonly target: RedactedTarget;
  readonly sealedTarget: SealedTarget;
  readonly timeoutMs: number;
}

export type ExecuteServiceCall = Envelope<'ExecuteServiceCall', ExecuteServiceCallPayload>;

export const EXECUTION_SCHEMA_VERSION = 1;
