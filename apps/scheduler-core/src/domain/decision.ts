import { ServiceCallEvent } from '@app/common/contracts';

/** NOT_YET_DUE: a timer fired before the call's dueAt (by the clock of the decision); it must be re-armed, never run early. */
export type RejectionReason = 'CALL_NOT_FOUND' | 'CALL_ALREADY_STARTED' | 'NOT_YET_DUE';

/** An accepted command may produce no events: duplicates and late timers are absorbed, not errors. */
export type Decision =
  | { readonly kind: 'accepted'; readonly events: readonly ServiceCallEvent[] }
  | { readonly kind: 'rejected'; readonly reason: RejectionReason };

export const accepted = (...events: ServiceCallEvent[]): Decision => ({ kind: 'accepted', events });

export const rejected = (reason: RejectionReason): Decision => ({ kind: 'rejected', reason });
