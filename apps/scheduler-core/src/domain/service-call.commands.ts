import { ExecutionResult, ServiceCallSubmittedData } from '@app/common/contracts';

/** Commands the ServiceCall aggregate decides on; `now` is the handler's clock, passed in. */
export type SubmitServiceCall = {
  readonly type: 'SubmitServiceCall';
  /** What ServiceCallSubmitted will record, plus the time of the decision. */
  readonly data: ServiceCallSubmittedData & { readonly now: string };
};

export type DueTimeReached = {
  readonly type: 'DueTimeReached';
  /** `leadMs`: how long before its dueAt a call may be handed to the executor, which holds it until then. */
  readonly data: { readonly now: string; readonly leadMs: number };
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
