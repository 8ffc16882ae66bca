import { randomUUID } from 'node:crypto';

/** A message shaped like ours on the wire: the aggregate id as key, ~1 KB of JSON, 8 string headers. */
export interface BenchMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export const DISTINCT_KEYS = 1_000;

/** One envelope per key, built before any measurement, so only the clients' own work is timed. */
export function envelopePool(size = DISTINCT_KEYS): readonly BenchMessage[] {
  return Array.from({ length: size }, () => {
    const aggregateId = randomUUID();
    const envelope = {
      messageId: randomUUID(),
      tenantId: `tenant-${Math.floor(Math.random() * 50)}`,
      aggregateType: 'ServiceCall',
      aggregateId,
      type: 'ServiceCallScheduled',
      schemaVersion: 1,
      timestamp: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      version: 1,
      payload: {
        target: {
          method: 'POST',
          url: `https://hooks.example.com/tenants/callbacks/${aggregateId}`,
          headers: { 'content-type': 'application/json' },
        },
        dueAt: new Date(Date.now() + 60_000).toISOString(),
        retry: { maxAttempts: 5, initialBackoffMs: 1_000, maxBackoffMs: 60_000 },
        body: 'x'.repeat(520),
      },
    };
    const value = JSON.stringify(envelope);
    const headers = {
      messageId: envelope.messageId,
      tenantId: envelope.tenantId,
      aggregateType: envelope.aggregateType,
      aggregateId,
      type: envelope.type,
      schemaVersion: '1',
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
    };
    return { key: aggregateId, value, headers };
  });
}
