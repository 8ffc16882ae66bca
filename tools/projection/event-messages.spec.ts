import { projectServiceCall } from '../../apps/projector/src/service-calls/project-service-call';
import { eventMessageFromRow } from './event-messages';

describe('eventMessageFromRow', () => {
  it('gives back the envelope that travelled on scheduler.events.v1, which the projection folds the same way', () => {
    const metadata = {
      messageId: 'm1',
      correlationId: 'corr',
      causationId: 'cause',
      schemaVersion: 1,
      timestamp: '2026-11-25T08:00:00.001Z',
    };
    const data = {
      serviceCallId: 'c1',
      tenantId: 't1',
      target: { method: 'GET', url: 'https://x/', headers: {} },
      sealedTarget: { iv: '', tag: '', ciphertext: '' },
      dueAt: null,
      tags: ['a'],
      timeoutMs: 1000,
      submittedAt: '2026-11-25T08:00:00.000Z',
    };
    const message = eventMessageFromRow({
      position: '17',
      tenant_id: 't1',
      stream_id: 'c1',
      version: 1,
      type: 'ServiceCallSubmitted',
      data,
      metadata,
    });
    expect(message).toEqual({
      messageId: 'm1',
      tenantId: 't1',
      aggregateType: 'ServiceCall',
      aggregateId: 'c1',
      type: 'ServiceCallSubmitted',
      schemaVersion: 1,
      timestamp: '2026-11-25T08:00:00.001Z',
      correlationId: 'corr',
      causationId: 'cause',
      version: 1,
      payload: data,
    });
    expect(projectServiceCall(null, message)).toMatchObject({
      id: 'c1',
      tenantId: 't1',
      status: 'Accepted',
      version: 1,
      updatedAt: '2026-11-25T08:00:00.001Z',
    });
  });
});
