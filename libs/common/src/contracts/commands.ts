import { Envelope } from './envelope';
import { ExecutionResult, RedactedTarget, SealedTarget } from './service-call-target';

/** Commands on scheduler.commands.v1, consumed by scheduler-core. */
export interface SubmitServiceCallPayload {
  readonly serviceCallId: string;
  readonly target: RedactedTarget;
  readonly sealedTarget: SealedTarget;
  /** ISO 8601; null = run now. */
  readonly dueAt: string | null;
  readonly tags: readonly string[];
  readonly timeoutMs: number;
  readonly submittedAt: string;
}

export interface CancelServiceCallPayload {
  readonly serviceCallId: string;
  readonly requestedAt: string;
}

export interface DueTimeReachedPayload {
  readonly serviceCallId: string;
  readonly dueAt: string;
  readonly firedAt: string;
}

export interface RecordExecutionResultPayload {
  readonly serviceCallId: string;
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly result: ExecutionResult;
}

export type SubmitServiceCall = Envelope<'SubmitServiceCall', SubmitServiceCallPayload>;
export type CancelServiceCall = Envelope<'CancelServiceCall', CancelServiceCallPayload>;
export type DueTimeReached = Envelope<'DueTimeReached', DueTimeReachedPayload>;
export type RecordExecutionResult = Envelope<'RecordExecutionResult', RecordExecutionResultPayload>;

export type SchedulerCommandMessage = SubmitServiceCall | CancelServiceCall | DueTimeReached | RecordExecutionResult;

export const COMMAND_SCHEMA_VERSION = 1;
