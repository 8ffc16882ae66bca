import { randomUUID } from 'node:crypto';
import {
  CancelServiceCall,
  DueTimeReached,
  RecordExecutionResult,
  SchedulerCommandMessage,
  ServiceCallEvent,
  SubmitServiceCall,
  TOPICS,
} from '@app/common/contracts';
import { evolve, initialState } from '../domain';
import { LoadedStream, planCommandBatch, streamKey } from './plan-command-batch';

const TENANT = 'tenant-a';
const now = new Date('2026-05-01T10:00:00.000Z');
const inAnHour = '2026-05-01T11:00:00.000Z';
const anHourAgo = '2026-05-01T09:00:00.000Z';
const target = { method: 'POST', url: 'https://example.com/hook', headers: {} } as const;
const sealedTarget = { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' };

function envelope<M extends SchedulerCommandMessage>(
  type: M['type'],
  serviceCallId: string,
  payload: M['payload'],
  tenantId = TENANT,
): M {
  return {
    messageId: randomUUID(),
    tenantId,
    aggregateType: 'ServiceCall',
    aggregateId: serviceCallId,
    type,
    schemaVersion: 1,
    timestamp: now.toISOString(),
    correlationId: `corr-${serviceCallId}`,
    causationId: randomUUID(),
    payload,
  } as M;
}

const submit = (id: string, dueAt: string | null = null, tenantId = TENANT) =>
  envelope<SubmitServiceCall>(
    'SubmitServiceCall',
    id,
    { serviceCallId: id, target, sealedTarget, dueAt, tags: [], timeoutMs: 1_000, submittedAt: now.toISOString() },
    tenantId,
  );
const cancel = (id: string) =>
  envelope<CancelServiceCall>('CancelServiceCall', id, { serviceCallId: id, requestedAt: now.toISOString() });
const due = (id: string, dueAt = inAnHour) =>
  envelope<DueTimeReached>('DueTimeReached', id, { serviceCallId: id, dueAt, firedAt: now.toISOString() });
const result = (id: string, attempt = 1) =>
  envelope<RecordExecutionResult>('RecordExecutionResult', id, {
    serviceCallId: id,
    attempt,
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    result: { statusCode: 200, latencyMs: 1, responseSnippet: '', responseHeaders: {}, error: null },
  });

/** A stream as the event store would load it, folded from its events. */
function stored(id: string, events: ServiceCallEvent[]): [string, LoadedStream] {
  const ref = { tenantId: TENANT, serviceCallId: id };
  return [streamKey(ref), { ref, state: events.reduce(evolve, initialState()), version: events.length }];
}

const submittedEvent = (id: string, dueAt: string | null): ServiceCallEvent => ({
  type: 'ServiceCallSubmitted',
  data: {
    serviceCallId: id,
    tenantId: TENANT,
    target,
    sealedTarget,
    dueAt,
    tags: [],
    timeoutMs: 1_000,
    submittedAt: now.toISOString(),
  },
});
const scheduledStream = (id: string, dueAt = inAnHour) =>
  stored(id, [submittedEvent(id, dueAt), { type: 'ServiceCallScheduled', data: { dueAt } }]);

const plannedEvents = (plan: ReturnType<typeof planCommandBatch>, id: string) =>
  plan.streams.find((s) => s.ref.serviceCallId === id)!.events.map((e) => [e.version, e.type]);

describe('planCommandBatch', () => {
  it('applies commands for the same call in batch order, each against the state the previous one left', () => {
    const id = 'call-1';
    const plan = planCommandBatch([submit(id, inAnHour), cancel(id)], new Map(), now);
    expect(plan.streams).toHaveLength(1);
    const [stream] = plan.streams;
    expect(stream.expectedVersion).toBe(0);
    expect(plannedEvents(plan, id)).toEqual([
      [1, 'ServiceCallSubmitted'],
      [2, 'ServiceCallScheduled'],
      [3, 'ServiceCallCancelled'],
    ]);
    // Scheduled then cancelled within the batch: the timer ends cleared, never left set.
    expect(stream.timer).toEqual({ kind: 'clear' });
    expect(stream.outbox.map((o) => [o.topic, o.envelope.type])).toEqual([
      [TOPICS.events, 'ServiceCallSubmitted'],
      [TOPICS.events, 'ServiceCallScheduled'],
      [TOPICS.events, 'ServiceCallCancelled'],
    ]);
    expect(plan.rejections).toEqual([]);
  });

  it('decides a cancel that comes before its submit in the batch against the state at that point', () => {
    const id = 'call-2';
    const first = cancel(id);
    const plan = planCommandBatch([first, submit(id)], new Map(), now);
    expect(plan.rejections.map((r) => [r.message.messageId, r.reason, r.status])).toEqual([
      [first.messageId, 'CALL_NOT_FOUND', 'Initial'],
    ]);
    expect(plannedEvents(plan, id)).toEqual([
      [1, 'ServiceCallSubmitted'],
      [2, 'ExecutionRequested'],
    ]);
    expect(plan.streams[0].outbox.map((o) => o.envelope.type)).toEqual([
      'ServiceCallSubmitted',
      'ExecutionRequested',
      'ExecuteServiceCall',
    ]);
    expect(plan.streams[0].timer).toBeUndefined();
  });

  it('runs a submit-now call and records its result within one batch, the result deciding against Running', () => {
    const id = 'call-3';
    const plan = planCommandBatch([submit(id), result(id), cancel(id)], new Map(), now);
    expect(plannedEvents(plan, id)).toEqual([
      [1, 'ServiceCallSubmitted'],
      [2, 'ExecutionRequested'],
      [3, 'ServiceCallSucceeded'],
    ]);
    expect(plan.rejections.map((r) => [r.reason, r.status])).toEqual([['CALL_ALREADY_STARTED', 'Succeeded']]);
  });

  it('continues a stored stream from its version and numbers the events contiguously', () => {
    const id = 'call-4';
    const plan = planCommandBatch([cancel(id)], new Map([scheduledStream(id)]), now);
    expect(plan.streams[0].expectedVersion).toBe(2);
    expect(plannedEvents(plan, id)).toEqual([[3, 'ServiceCallCancelled']]);
    expect(plan.streams[0].timer).toEqual({ kind: 'clear' });
  });

  it('adds nothing for duplicates: the same message twice, a second submit of the same call, a submit of a stored call', () => {
    const id = 'call-5';
    const message = submit(id, inAnHour);
    const plan = planCommandBatch([message, message, submit(id, inAnHour)], new Map(), now);
    expect(plannedEvents(plan, id)).toEqual([
      [1, 'ServiceCallSubmitted'],
      [2, 'ServiceCallScheduled'],
    ]);
    expect(plan.streams[0].outbox).toHaveLength(2);
    expect(new Set(plan.streams[0].events.map((e) => e.messageId)).size).toBe(2);

    const storedId = 'call-5b';
    const again = planCommandBatch([submit(storedId, inAnHour)], new Map([scheduledStream(storedId)]), now);
    expect(again.streams[0].events).toEqual([]);
    expect(again.streams[0].outbox).toEqual([]);
    expect(again.streams[0].timer).toBeUndefined();
  });

  it('requests execution once when the timer fires twice in one batch', () => {
    const id = 'call-6';
    const plan = planCommandBatch([due(id, anHourAgo), due(id, anHourAgo)], new Map([scheduledStream(id, anHourAgo)]), now);
    expect(plannedEvents(plan, id)).toEqual([[3, 'ExecutionRequested']]);
    expect(plan.streams[0].outbox.map((o) => o.envelope.type)).toEqual(['ExecutionRequested', 'ExecuteServiceCall']);
    expect(plan.streams[0].timer).toEqual({ kind: 'clear' });
  });

  it('hands a call fired within the lead to the executor with its dueAt as notBefore', () => {
    const id = 'call-6b';
    const soon = new Date(now.getTime() + 800).toISOString();
    const plan = planCommandBatch([due(id, soon)], new Map([scheduledStream(id, soon)]), now, 1_000);
    const execute = plan.streams[0].outbox.find((o) => o.topic === TOPICS.executions);
    expect(execute?.envelope).toMatchObject({ type: 'ExecuteServiceCall', payload: { attempt: 1, notBefore: soon } });
    expect(plan.streams[0].timer).toEqual({ kind: 'clear' });

    const outsideLead = planCommandBatch([due(id, soon)], new Map([scheduledStream(id, soon)]), now, 500);
    expect(outsideLead.rejections.map((r) => r.reason)).toEqual(['NOT_YET_DUE']);
  });

  it('re-arms the timer at the stored dueAt when a timer fires early (NOT_YET_DUE), and runs nothing', () => {
    const id = 'call-7';
    const early = due(id);
    const plan = planCommandBatch([early], new Map([scheduledStream(id, inAnHour)]), now);
    expect(plan.rejections.map((r) => [r.reason, r.status])).toEqual([['NOT_YET_DUE', 'Scheduled']]);
    expect(plan.streams[0].events).toEqual([]);
    expect(plan.streams[0].outbox).toEqual([]);
    expect(plan.streams[0].timer).toEqual({
      kind: 'set',
      dueAt: inAnHour,
      correlationId: early.correlationId,
      causationId: early.messageId,
    });
  });

  it('sets the timer for a scheduled submit, with the cause of the Scheduled event', () => {
    const id = 'call-8';
    const plan = planCommandBatch([submit(id, inAnHour)], new Map(), now);
    const scheduledEvent = plan.streams[0].events[1];
    expect(plan.streams[0].timer).toEqual({
      kind: 'set',
      dueAt: inAnHour,
      correlationId: scheduledEvent.correlationId,
      causationId: scheduledEvent.messageId,
    });
  });

  it('leaves the timer alone for a submit-now call and for commands that change nothing', () => {
    const id = 'call-9';
    expect(planCommandBatch([submit(id)], new Map(), now).streams[0].timer).toBeUndefined();
    const cancelledStream = stored(id, [
      submittedEvent(id, inAnHour),
      { type: 'ServiceCallScheduled', data: { dueAt: inAnHour } },
      { type: 'ServiceCallCancelled', data: { cancelledAt: now.toISOString() } },
    ]);
    const plan = planCommandBatch([due(id), cancel(id)], new Map([cancelledStream]), now);
    expect(plan.streams[0].events).toEqual([]);
    expect(plan.streams[0].timer).toBeUndefined();
  });

  it('clears the timer when a due timer fires, then runs the call', () => {
    const id = 'call-10';
    const plan = planCommandBatch([due(id, anHourAgo)], new Map([scheduledStream(id, anHourAgo)]), now);
    expect(plan.streams[0].timer).toEqual({ kind: 'clear' });
    expect(plan.streams[0].outbox.find((o) => o.topic === TOPICS.executions)?.envelope).toMatchObject({
      type: 'ExecuteServiceCall',
      payload: { serviceCallId: id, attempt: 1 },
    });
  });

  it('keeps one plan per stream, tenants apart, in the order streams first appear, and records every message id', () => {
    const a = submit('shared-id', null, 'tenant-a');
    const b = submit('shared-id', null, 'tenant-b');
    const c = submit('other');
    const a2 = cancel('shared-id');
    const plan = planCommandBatch([a, b, c, a2], new Map(), now);
    expect(plan.streams.map((s) => [s.ref.tenantId, s.ref.serviceCallId, s.events.length])).toEqual([
      ['tenant-a', 'shared-id', 2],
      ['tenant-b', 'shared-id', 2],
      [TENANT, 'other', 2],
    ]);
    expect(plan.streams[0].messageIds).toEqual([a.messageId, a2.messageId]);
    expect(plan.streams.every((s) => s.events.every((e, i) => e.version === s.expectedVersion + i + 1))).toBe(true);
  });

  it('carries correlation and causation from each command onto the events it caused', () => {
    const id = 'call-11';
    const first = submit(id, inAnHour);
    const second = cancel(id);
    const plan = planCommandBatch([first, second], new Map(), now);
    const [submitted, scheduled, cancelled] = plan.streams[0].events;
    expect([submitted.causationId, scheduled.causationId, cancelled.causationId]).toEqual([
      first.messageId,
      first.messageId,
      second.messageId,
    ]);
    expect(cancelled.correlationId).toBe(second.correlationId);
  });
});
