import { OutboxMessage } from '@app/common/outbox';
import { SchedulerCommandMessage, ServiceCallEventMessage } from '@app/common/contracts';
import { decide, evolve, RejectionReason, ServiceCallState } from '../domain';
import { eventMessages, outboxMessagesFor, StreamRef } from './outgoing-messages';
import { toDomainCommand } from './to-domain-command';

export interface LoadedStream {
  readonly ref: StreamRef;
  readonly state: ServiceCallState;
  readonly version: number;
}

/** What the timers table must hold for a call after the batch: a due time, nothing, or as it was. */
export type TimerChange =
  | { readonly kind: 'set'; readonly dueAt: string; readonly correlationId: string; readonly causationId: string }
  | { readonly kind: 'clear' };

/** Everything one stream's commands of the batch decided, appended together under one expected version. */
export interface StreamPlan {
  readonly ref: StreamRef;
  readonly expectedVersion: number;
  readonly events: ServiceCallEventMessage[];
  readonly outbox: OutboxMessage[];
  timer?: TimerChange;
  readonly messageIds: string[];
  /** The stream's state after the batch's commands, if its events go in. */
  state: ServiceCallState;
}

export interface Rejection {
  readonly message: SchedulerCommandMessage;
  readonly reason: RejectionReason;
  readonly status: ServiceCallState['status'];
}

export interface BatchPlan {
  readonly streams: StreamPlan[];
  readonly rejections: Rejection[];
}

export const streamKey = (ref: StreamRef): string => `${ref.tenantId}\u0000${ref.serviceCallId}`;

/** The stream a command addresses. */
export const streamRefOf = (m: { tenantId: string; aggregateId: string }): StreamRef => ({
  tenantId: m.tenantId,
  serviceCallId: m.aggregateId,
});

/**
 * Decides a batch of commands in memory, in order: each command is decided against its stream's
 * state as left by the commands before it in the batch, so commands for one call apply in order.
 */
export function planCommandBatch(
  messages: readonly SchedulerCommandMessage[],
  loaded: ReadonlyMap<string, LoadedStream>,
  now: Date,
  timerLeadMs = 0,
): BatchPlan {
  const plans = new Map<string, StreamPlan>();
  const rejections: Rejection[] = [];
  for (const message of messages) {
    const ref = streamRefOf(message);
    const key = streamKey(ref);
    let plan = plans.get(key);
    if (!plan) {
      const stream = loaded.get(key) ?? { ref, state: { status: 'Initial' }, version: 0 };
      plan = { ref, expectedVersion: stream.version, events: [], outbox: [], messageIds: [], state: stream.state };
      plans.set(key, plan);
    }
    plan.messageIds.push(message.messageId);
    const before = plan.state;
    const decision = decide(toDomainCommand(message, now, timerLeadMs), before);
    if (decision.kind === 'rejected') {
      rejections.push({ message, reason: decision.reason, status: before.status });
      if (decision.reason === 'NOT_YET_DUE' && before.status === 'Scheduled') {
        plan.timer = {
          kind: 'set',
          dueAt: before.dueAt,
          correlationId: message.correlationId,
          causationId: message.messageId,
        };
      }
      continue;
    }
    if (decision.events.length === 0) continue;
    const events = eventMessages(ref, decision.events, plan.expectedVersion + plan.events.length, message, now);
    const after = decision.events.reduce(evolve, before);
    plan.events.push(...events);
    plan.outbox.push(...outboxMessagesFor(ref, events, after, now));
    plan.timer = timerChangeFor(events, before.status === 'Scheduled') ?? plan.timer;
    plan.state = after;
  }
  return { streams: [...plans.values()], rejections };
}

/** Only a call that was Scheduled can have a timer to remove. */
function timerChangeFor(events: readonly ServiceCallEventMessage[], wasScheduled: boolean): TimerChange | undefined {
  let change: TimerChange | undefined;
  for (const e of events) {
    if (e.type === 'ServiceCallScheduled') {
      change = { kind: 'set', dueAt: e.payload.dueAt, correlationId: e.correlationId, causationId: e.messageId };
    } else if (wasScheduled && (e.type === 'ExecutionRequested' || e.type === 'ServiceCallCancelled')) {
      change = { kind: 'clear' };
    }
  }
  return change;
}
