import { ServiceCallEventMessage } from './events';
import { newEventMessage } from './new-envelope';

describe('newEventMessage', () => {
  const cause = { messageId: 'cause-1', correlationId: 'corr-1' };
  const message: ServiceCallEventMessage = newEventMessage(
    { type: 'ExecutionRequested', data: { attempt: 2, requestedAt: '2026-11-25T08:00:00.000Z' } },
    { tenantId: 't1', serviceCallId: 'call-1', cause, timestamp: new Date('2026-11-25T08:00:01.000Z'), version: 3 },
  );

  it('keeps the wire format: the envelope fields in order, the event data as payload, then the stream version', () => {
    expect(Object.keys(message)).toEqual([
      'messageId',
      'tenantId',
      'aggregateType',
      'aggregateId',
      'type',
      'schemaVersion',
      'timestamp',
      'correlationId',
      'causationId',
      'payload',
      'version',
    ]);
    expect(message).toMatchObject({
      tenantId: 't1',
      aggregateType: 'ServiceCall',
      aggregateId: 'call-1',
      type: 'ExecutionRequested',
      schemaVersion: 1,
      timestamp: '2026-11-25T08:00:01.000Z',
      correlationId: 'corr-1',
      causationId: 'cause-1',
      version: 3,
      payload: { attempt: 2, requestedAt: '2026-11-25T08:00:00.000Z' },
    });
  });

  it('lets `type` narrow the payload without a cast', () => {
    const attempt = message.type === 'ExecutionRequested' ? message.payload.attempt : undefined;
    expect(attempt).toBe(2);
  });
});
