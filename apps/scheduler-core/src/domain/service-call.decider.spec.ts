import { ExecutionResult, ServiceCallEvent, ServiceCallSubmittedData } from '@app/common/contracts';
import { evolve } from './evolve';
import { CancelServiceCall, DueTimeReached, RecordExecutionResult, SubmitServiceCall } from './service-call.commands';
import { initialState } from './service-call.state';
import { given } from './testing/decider-spec';

const submittedAt = '2026-05-01T10:00:00.000Z';
const now = '2026-05-01T10:00:00.050Z';
const later = '2026-05-01T11:00:00.000Z';
const startedAt = '2026-05-01T11:00:00.100Z';
const finishedAt = '2026-05-01T11:00:00.350Z';

const call = (dueAt: string | null): ServiceCallSubmittedData => ({
  serviceCallId: 'call-1',
  tenantId: 'tenant-a',
  target: { method: 'POST', url: 'https://example.com/hook?token=[REDACTED]', headers: { authorization: '[REDACTED]' } },
  sealedTarget: { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' },
  dueAt,
  tags: ['billing', 'eu'],
  timeoutMs: 10_000,
  submittedAt,
});

const submit = (dueAt: string | null, at = now): SubmitServiceCall => ({
  type: 'SubmitServiceCall',
  data: { ...call(dueAt), now: at },
});
const dueTimeReached = (at = later, leadMs = 0): DueTimeReached => ({ type: 'DueTimeReached', data: { now: at, leadMs } });
const cancel = (at = now): CancelServiceCall => ({ type: 'CancelServiceCall', data: { now: at } });

const success: ExecutionResult = {
  statusCode: 200,
  latencyMs: 250,
  responseSnippet: '{"ok":true}',
  responseHeaders: { 'content-type': 'application/json' },
  error: null,
};
const failure: ExecutionResult = {
  statusCode: 503,
  latencyMs: 250,
  responseSnippet: 'unavailable',
  responseHeaders: {},
  error: { code: 'NON_2XX_STATUS', message: 'target answered 503' },
};
const recordResult = (result: ExecutionResult, attempt = 1): RecordExecutionResult => ({
  type: 'RecordExecutionResult',
  data: { attempt, startedAt, finishedAt, result },
});

const submitted = (dueAt: string | null): ServiceCallEvent => ({ type: 'ServiceCallSubmitted', data: call(dueAt) });
const scheduled = (dueAt = later): ServiceCallEvent => ({ type: 'ServiceCallScheduled', data: { dueAt } });
const executionRequested = (requestedAt: string, attempt = 1): ServiceCallEvent => ({
  type: 'ExecutionRequested',
  data: { attempt, requestedAt },
});
const succeeded: ServiceCallEvent = {
  type: 'ServiceCallSucceeded',
  data: { attempt: 1, startedAt, finishedAt, result: success },
};
const failed: ServiceCallEvent = { type: 'ServiceCallFailed', data: { attempt: 1, startedAt, finishedAt, result: failure } };
const cancelled = (cancelledAt = now): ServiceCallEvent => ({ type: 'ServiceCallCancelled', data: { cancelledAt } });

const scheduledCall = [submitted(later), scheduled()];
const runningCall = [submitted(null), executionRequested(now)];
const succeededCall = [...runningCall, succeeded];
const failedCall = [...runningCall, failed];
const cancelledCall = [...scheduledCall, cancelled()];

describe('ServiceCall decider', () => {
  describe('SubmitServiceCall', () => {
    it('schedules a call whose dueAt is later than now', () => {
      const state = given([])
        .when(submit(later))
        .then([submitted(later), scheduled(later)]);

      expect(state).toEqual({ status: 'Scheduled', call: call(later), dueAt: later });
    });

    it('requests execution at once when dueAt is absent', () => {
      const state = given([])
        .when(submit(null))
        .then([submitted(null), executionRequested(now)]);

      expect(state).toEqual({ status: 'Running', call: call(null), attempt: 1 });
    });

    it('requests execution at once when dueAt is in the past, keeping dueAt as given', () => {
      const past = '2026-05-01T09:00:00.000Z';

      const state = given([])
        .when(submit(past))
        .then([submitted(past), executionRequested(now)]);

      expect(state).toMatchObject({ status: 'Running', attempt: 1 });
    });

    it('treats a dueAt equal to now as run now', () => {
      given([])
        .when(submit(now))
        .then([submitted(now), executionRequested(now)]);
    });

    it('compares instants, not strings', () => {
      // Same instant as `now`, written with an offset: still not strictly later.
      const sameInstant = '2026-05-01T12:00:00.050+02:00';

      given([])
        .when(submit(sameInstant))
        .then([submitted(sameInstant), executionRequested(now)]);
    });

    it.each([
      ['scheduled', scheduledCall],
      ['running', runningCall],
      ['succeeded', succeededCall],
      ['failed', failedCall],
      ['cancelled', cancelledCall],
    ])('absorbs a duplicate submit of a %s call', (_status, history) => {
      given(history).when(submit(later)).then([]);
    });
  });

  describe('DueTimeReached', () => {
    it('requests the first execution of a scheduled call', () => {
      const state = given(scheduledCall)
        .when(dueTimeReached(later))
        .then([executionRequested(later)]);

      expect(state).toEqual({ status: 'Running', call: call(later), attempt: 1 });
    });

    it('absorbs a second firing of the same timer', () => {
      given([...scheduledCall, executionRequested(later)])
        .when(dueTimeReached(later))
        .then([]);
    });

    it.each([
      ['running', runningCall],
      ['succeeded', succeededCall],
      ['failed', failedCall],
      ['cancelled', cancelledCall],
    ])('absorbs a firing on a %s call', (_status, history) => {
      given(history).when(dueTimeReached()).then([]);
    });

    it('rejects an unknown call', () => {
      given([]).when(dueTimeReached()).thenRejected('CALL_NOT_FOUND');
    });

    it('never runs a call before its dueAt, whatever fired the timer', () => {
      given(scheduledCall).when(dueTimeReached('2026-05-01T10:59:59.999Z')).thenRejected('NOT_YET_DUE');
    });

    it('runs a call exactly at its dueAt', () => {
      given(scheduledCall)
        .when(dueTimeReached(later))
        .then([executionRequested(later)]);
    });

    describe('with a lead', () => {
      const leadMs = 1_000;
      const withinLead = '2026-05-01T10:59:59.400Z';

      it('hands a call over within the lead before its dueAt, not to leave before the dueAt', () => {
        const state = given(scheduledCall)
          .when(dueTimeReached(withinLead, leadMs))
          .then([{ type: 'ExecutionRequested', data: { attempt: 1, requestedAt: withinLead, notBefore: later } }]);

        expect(state).toEqual({ status: 'Running', call: call(later), attempt: 1 });
      });

      it('hands a call over exactly one lead before its dueAt', () => {
        given(scheduledCall)
          .when(dueTimeReached('2026-05-01T10:59:59.000Z', leadMs))
          .then([
            { type: 'ExecutionRequested', data: { attempt: 1, requestedAt: '2026-05-01T10:59:59.000Z', notBefore: later } },
          ]);
      });

      it('refuses a firing earlier than the lead', () => {
        given(scheduledCall).when(dueTimeReached('2026-05-01T10:59:58.999Z', leadMs)).thenRejected('NOT_YET_DUE');
      });

      it('sets no hold once the dueAt has passed', () => {
        given(scheduledCall)
          .when(dueTimeReached(startedAt, leadMs))
          .then([executionRequested(startedAt)]);
      });

      it('refuses to cancel a call once it was handed over', () => {
        given([
          ...scheduledCall,
          { type: 'ExecutionRequested', data: { attempt: 1, requestedAt: withinLead, notBefore: later } },
        ])
          .when(cancel(withinLead))
          .thenRejected('CALL_ALREADY_STARTED');
      });
    });
  });

  describe('RecordExecutionResult', () => {
    it('records a success when the result carries no error', () => {
      const state = given(runningCall).when(recordResult(success)).then([succeeded]);

      expect(state).toEqual({ status: 'Succeeded', call: call(null), attempt: 1 });
    });

    it('records a failure when the result carries an error', () => {
      const state = given(runningCall).when(recordResult(failure)).then([failed]);

      expect(state).toEqual({ status: 'Failed', call: call(null), attempt: 1 });
    });

    it('ignores a result for another attempt', () => {
      given(runningCall).when(recordResult(success, 2)).then([]);
    });

    it.each([
      ['a success', 'succeeded', succeededCall, success],
      ['a failure', 'succeeded', succeededCall, failure],
      ['a failure', 'failed', failedCall, failure],
      ['a success', 'failed', failedCall, success],
    ])('absorbs %s redelivered to a %s call', (_result, _status, history, result) => {
      given(history).when(recordResult(result)).then([]);
    });

    it.each([
      ['scheduled', scheduledCall],
      ['cancelled', cancelledCall],
    ])('ignores a result on a %s call', (_status, history) => {
      given(history).when(recordResult(success)).then([]);
    });

    it('rejects an unknown call', () => {
      given([]).when(recordResult(success)).thenRejected('CALL_NOT_FOUND');
    });
  });

  describe('CancelServiceCall', () => {
    it('cancels a scheduled call', () => {
      const state = given(scheduledCall)
        .when(cancel(now))
        .then([cancelled(now)]);

      expect(state).toEqual({ status: 'Cancelled', call: call(later) });
    });

    it('absorbs a second cancel', () => {
      given(cancelledCall).when(cancel()).then([]);
    });

    it.each([
      ['running', runningCall],
      ['succeeded', succeededCall],
      ['failed', failedCall],
    ])('refuses to cancel a %s call', (_status, history) => {
      given(history).when(cancel()).thenRejected('CALL_ALREADY_STARTED');
    });

    it('rejects an unknown call', () => {
      given([]).when(cancel()).thenRejected('CALL_NOT_FOUND');
    });
  });

  describe('a whole life', () => {
    it('runs a scheduled call once, whatever is redelivered', () => {
      let history: readonly ServiceCallEvent[] = [];
      const steps = [
        { command: submit(later), events: [submitted(later), scheduled(later)] },
        { command: submit(later), events: [] },
        { command: dueTimeReached(later), events: [executionRequested(later)] },
        { command: dueTimeReached(later), events: [] },
        { command: recordResult(success), events: [succeeded] },
        { command: recordResult(success), events: [] },
      ];

      for (const { command, events } of steps) {
        given(history).when(command).then(events);
        history = [...history, ...events];
      }

      given(history).when(cancel()).thenRejected('CALL_ALREADY_STARTED');
    });
  });

  describe('evolve', () => {
    it('holds a just-submitted call as scheduled for its dueAt', () => {
      expect([submitted(later)].reduce(evolve, initialState())).toEqual({
        status: 'Scheduled',
        call: call(later),
        dueAt: later,
      });
    });

    it('holds a just-submitted run-now call as scheduled for its submission time', () => {
      expect([submitted(null)].reduce(evolve, initialState())).toMatchObject({ status: 'Scheduled', dueAt: submittedAt });
    });

    it('leaves the initial state alone for an event that needs a submitted call', () => {
      expect(evolve(initialState(), scheduled())).toEqual({ status: 'Initial' });
    });
  });
});
