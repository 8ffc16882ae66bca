import { ServiceCallEventMessage } from '@app/common/contracts';
import { projectServiceCall } from './project-service-call';

const base = {
  messageId: 'm',
  tenantId: 't1',
  aggregateType: 'ServiceCall' as const,
  aggregateId: 'c1',
  schemaVersion: 1,
  correlationId: 'corr',
  causationId: 'cause',
};
const msg = (
  version: number,
  type: ServiceCallEventMessage['type'],
  payload: unknown,
  timestamp = `2026-11-25T08:00:0${version}.000Z`,
): ServiceCallEventMessage =>
  ({ ...base, messageId: `m${version}`, version, type, payload, timestamp }) as ServiceCallEventMessage;

const submitted = msg(1, 'ServiceCallSubmitted', {
  serviceCallId: 'c1',
  tenantId: 't1',
  target: { method: 'GET', url: 'https://x/', headers: {} },
  sealedTarget: { iv: '', tag: '', ciphertext: '' },
  dueAt: null,
  tags: ['a'],
  timeoutMs: 1000,
  submittedAt: '2026-11-25T08:00:00.000Z',
});
const requested = msg(2, 'ExecutionRequested', { attempt: 1, requestedAt: '2026-11-25T08:00:02.000Z' });
const result = { statusCode: 200, latencyMs: 12, responseSnippet: 'ok', responseHeaders: {}, error: null };
const succeeded = msg(3, 'ServiceCallSucceeded', { attempt: 1, startedAt: 's', finishedAt: 'f', result });

describe('projectServiceCall', () => {
  it('builds the view forward from the events', () => {
    const view = [submitted, requested, succeeded].reduce(projectServiceCall, null);
    expect(view).toMatchObject({
      id: 'c1',
      tenantId: 't1',
      status: 'Succeeded',
      attempts: 1,
      result,
      version: 3,
      tags: ['a'],
      createdAt: '2026-11-25T08:00:00.000Z',
    });
  });

  it('changes nothing when the same or an older event arrives again', () => {
    const view = [submitted, requested, succeeded].reduce(projectServiceCall, null);
    expect(projectServiceCall(view, succeeded)).toBe(view);
    expect(projectServiceCall(view, requested)).toBe(view);
    expect(projectServiceCall(view, submitted)).toBe(view);
  });

  it('refuses a later event for a call it never saw submitted', () => {
    expect(() => projectServiceCall(null, requested)).toThrow(/before ServiceCallSubmitted/);
  });

  it('shows a scheduled call, then its cancellation', () => {
    const scheduled = projectServiceCall(
      projectServiceCall(null, submitted),
      msg(2, 'ServiceCallScheduled', { dueAt: '2026-12-01T00:00:00.000Z' }),
    );
    expect(scheduled).toMatchObject({ status: 'Scheduled', dueAt: '2026-12-01T00:00:00.000Z' });
    expect(projectServiceCall(scheduled, msg(3, 'ServiceCallCancelled', { cancelledAt: 'x' }))).toMatchObject({
      status: 'Cancelled',
      version: 3,
    });
  });
});
