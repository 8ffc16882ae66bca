import { randomUUID } from 'node:crypto';

/** A row to insert into scheduler_core.events, shaped as scheduler-core appends them. */
export interface SyntheticEvent {
  readonly tenant_id: string;
  readonly stream_id: string;
  readonly version: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: {
    messageId: string;
    correlationId: string;
    causationId: string;
    schemaVersion: number;
    timestamp: string;
  };
}

const OUTCOMES = ['succeeded', 'failed', 'cancelled', 'scheduled', 'running'] as const;

/** Event streams of every shape the domain produces (succeeded, failed, cancelled, scheduled, running), at least `minEvents` events in all. */
export function syntheticStreams(
  minEvents: number,
  tenants: readonly string[] = ['tenant-a', 'tenant-b'],
): SyntheticEvent[][] {
  const streams: SyntheticEvent[][] = [];
  let total = 0;
  for (let i = 0; total < minEvents; i++) {
    const stream = syntheticStream(tenants[i % tenants.length], OUTCOMES[i % OUTCOMES.length], i);
    streams.push(stream);
    total += stream.length;
  }
  return streams;
}

export function syntheticStream(tenantId: string, outcome: (typeof OUTCOMES)[number], n: number): SyntheticEvent[] {
  const id = randomUUID();
  const t0 = Date.UTC(2026, 10, 25, 8, 0, 0) + n * 1_000;
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const dueAt = outcome === 'scheduled' || outcome === 'cancelled' ? at(86_400_000) : null;
  const events: [string, unknown][] = [
    [
      'ServiceCallSubmitted',
      {
        serviceCallId: id,
        tenantId,
        target: {
          method: 'POST',
          url: `https://example.com/hook/${n}?token=[REDACTED]`,
          headers: { 'content-type': 'application/json', authorization: '[REDACTED]' },
        },
        sealedTarget: { iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' },
        dueAt,
        tags: n % 3 === 0 ? ['billing', 'eu'] : ['ops'],
        timeoutMs: 5_000,
        submittedAt: at(0),
      },
    ],
  ];
  if (dueAt) events.push(['ServiceCallScheduled', { dueAt }]);
  if (outcome === 'cancelled') events.push(['ServiceCallCancelled', { cancelledAt: at(20) }]);
  if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'running')
    events.push(['ExecutionRequested', { attempt: 1, requestedAt: at(10) }]);
  if (outcome === 'succeeded' || outcome === 'failed') {
    const ok = outcome === 'succeeded';
    events.push([
      ok ? 'ServiceCallSucceeded' : 'ServiceCallFailed',
      {
        attempt: 1,
        startedAt: at(11),
        finishedAt: at(40),
        result: {
          statusCode: ok ? 200 : 500,
          latencyMs: 29,
          responseSnippet: ok ? 'ok' : '{"oops":true}',
          responseHeaders: { 'content-type': 'text/plain' },
          error: ok ? null : { code: 'NON_2XX_STATUS', message: 'target answered 500' },
        },
      },
    ]);
  }
  const correlationId = randomUUID();
  return events.map(([type, data], i) => {
    const messageId = randomUUID();
    return {
      tenant_id: tenantId,
      stream_id: id,
      version: i + 1,
      event_id: messageId,
      type,
      data,
      metadata: { messageId, correlationId, causationId: randomUUID(), schemaVersion: 1, timestamp: at(i * 10 + 1) },
    };
  });
}

/** Appends events as scheduler-core does: one statement, ordered by stream and version. */
export const INSERT_EVENTS_SQL = `INSERT INTO scheduler_core.events (tenant_id, stream_id, version, event_id, type, data, metadata)
  SELECT tenant_id, stream_id, version, event_id, type, data, metadata
    FROM jsonb_to_recordset($1::jsonb) AS r(tenant_id text, stream_id text, version int, event_id uuid, type text, data jsonb, metadata jsonb)
   ORDER BY tenant_id, stream_id, version`;

/**
 * The streams' events in waves (every stream's first event, then every second one, ...), in statements
 * of at most `chunk` events, so the global order interleaves streams as live traffic does.
 */
export function interleavedStatements(streams: readonly SyntheticEvent[][], chunk = 2_000): string[] {
  const statements: string[] = [];
  const longest = Math.max(0, ...streams.map((s) => s.length));
  for (let v = 0; v < longest; v++) {
    const wave = streams.filter((s) => s.length > v).map((s) => s[v]);
    for (let i = 0; i < wave.length; i += chunk) statements.push(JSON.stringify(wave.slice(i, i + chunk)));
  }
  return statements;
}
