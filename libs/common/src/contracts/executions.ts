import { Envelope } from './envelope';
import { RedactedTarget, SealedTarget } from './service-call-target';

/** Sent to scheduler.executions.v1 when a call must run; consumed by the executor. */
export interface ExecuteServiceCallPayload {
  readonly serviceCallId: string;
  readonly attempt: number;
  readonly target: RedactedTarget;
  readonly sealedTarget: SealedTarget;
  readonly timeoutMs: number;
  /** The call's dueAt when it was handed over ahead of time: the executor holds it until then. */
  readonly notBefore?: string;
}

export type ExecuteServiceCall = Envelope<'ExecuteServiceCall', ExecuteServiceCallPayload>;

export const EXECUTION_SCHEMA_VERSION = 1;
