import { Envelope } from './envelope';
import { ExecutionResult, RedactedTarget, SealedTarget } from './service-call-target';

/** Domain events of the ServiceCall aggregate, published on scheduler.events.v1. */
export interface ServiceCallSubmittedData {
  readonly serviceCallId: string;
  readonly tenantId: string;
  readonly target: RedactedTarget;
  readonly sealedTarget: SealedTarget;
  readonly dueAt: string | null;
  readonly tags: readonly string[];
  readonly timeoutMs: number;
  readonly submittedAt: string;
}

export type ServiceCallEvent =
  | { readonly type: 'ServiceCallSubmitted'; readonly data: ServiceCallSubmittedData }
  | { readonly type: 'ServiceCallScheduled'; readonly data: { readonly dueAt: string } }
  | { readonly type: 'ExecutionRequested'; readonly data: { readonly attempt: number; readonly requestedAt: string } }
  | {
      readonly type: 'ServiceCallSucceeded';
      readonly data: { readonly attempt: number; readonly startedAt: string; readonly finishedAt: string; readonly result: ExecutionResult };
    }
  | {
      readonly type: 'ServiceCallFailed';
      readonly data: { readonly attempt: number; readonly startedAt: string; readonly finishedAt: string; readonly result: ExecutionResult };
    }
  | { readonly type: 'ServiceCallCancelled'; readonly data: { readonly cancelledAt: string } };

export type ServiceCallEventType = ServiceCallEvent['type'];

/** An event as it travels: the envelope with the event data as payload and its stream version. */
export type ServiceCallEventMessage = Envelope<ServiceCallEventType, ServiceCallEvent['data']> & { readonly version: number };

export const EVENT_SCHEMA_VERSION = 1;
