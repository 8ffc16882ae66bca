import { ExecutionResult, RedactedTarget, SealedTarget } from '@app/common/contracts';

/** Commands the ServiceCall aggregate decides on; `now` is the handler's clock, passed in. */
export type SubmitServiceCall = {
  readonly type: 'SubmitServiceCall';
  readonly data: {
    readonly serviceCallId: string;
    readonly tenantId: string;
    readonly target: RedactedTarget;
    readonly sealedTarget: SealedTarget;
    /** ISO 8601; null = run now. */
    readonly dueAt: string | null;
    readonly tags: readonly string[];
    readonly timeoutMs: number;
    readonly submittedAt: string;
    readonly now: string;
  };
};

export type DueTimeReached = {
  readonly type: 'DueTimeReached';
  readonly data: { readonly now: string };
};

export type RecordExecutionResult = {
  readonly type: 'RecordExecutionResult';
  readonly data: {
    readonly attempt: number;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly result: ExecutionResult;
  };
};

export type CancelServiceCall = {
  readonly type: 'CancelServiceCall';
  readonly data: { readonly now: string };
};

export type ServiceCallCommand = SubmitServiceCall | DueTimeReached | RecordExecutionResult | CancelServiceCall;
