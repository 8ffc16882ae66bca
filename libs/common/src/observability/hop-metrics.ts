import { Envelope } from '../contracts/envelope';
import { messageAge, outboxPublishDelay } from './metrics';

/**
 * Seconds from an envelope's timestamp to `now`: none for a message without a valid time (the
 * envelope codec does not require one, and a metric must never fail a batch), 0 for one from the
 * future (the writer's clock ahead of this host's).
 */
function secondsSince(timestamp: unknown, now: number): number | undefined {
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  return Number.isFinite(at) ? Math.max(0, (now - at) / 1000) : undefined;
}

/** A consumed message or an outbox row: anything that carries its envelope. */
type Enveloped = { readonly envelope: Envelope };

/** Observes, on one labelled series, each message's seconds since it was written; skips those without a time. */
function observeSince(series: { observe(value: number): void }, messages: readonly Enveloped[], now: number): void {
  for (const { envelope } of messages) {
    const seconds = secondsSince(envelope.timestamp, now);
    if (seconds !== undefined) series.observe(seconds);
  }
}

/** How old each message was when its consumer's handler got it. */
export function recordMessageAges(group: string, topic: string, messages: readonly Enveloped[], now = Date.now()): void {
  observeSince(messageAge.labels({ group, topic }), messages, now);
}

/** How long each message took from its outbox's transaction to the broker's acknowledgment. */
export function recordOutboxPublishDelays(outbox: string, rows: readonly Enveloped[], acknowledgedAt = Date.now()): void {
  observeSince(outboxPublishDelay.labels({ outbox }), rows, acknowledgedAt);
}
