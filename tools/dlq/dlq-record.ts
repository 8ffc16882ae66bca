import { IHeaders, KafkaMessage, Message } from '@app/common/messaging/kafkajs';
import { formatRef, RecordRef } from './dlq-arguments';

/** The header a replayed message carries: the DLQ record it came from. */
export const REPLAYED_FROM_HEADER = 'dlq.replayed.from';

/** One DLQ record as an operator needs to see it (libs/common/src/messaging/dead-letter.ts writes them). */
export interface DlqRecord {
  readonly ref: RecordRef;
  readonly original: { readonly topic: string; readonly partition: number | null; readonly offset: string | null };
  readonly group: string | null;
  readonly messageId: string | null;
  readonly type: string | null;
  readonly serviceCallId: string | null;
  readonly tenantId: string | null;
  readonly attempts: number | null;
  readonly error: string;
  readonly failedAt: string | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Headers as text, for display. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers as they were (buffers, repeated names), for replay. */
  readonly rawHeaders: IHeaders;
}

export class NotADlqRecordError extends Error {
  override readonly name = 'NotADlqRecordError';
}

export function readDlqRecord(topic: string, partition: number, message: KafkaMessage): DlqRecord {
  const headers = textHeaders(message.headers);
  const ref = { topic, partition, offset: message.offset };
  const originalTopic = headers['dlq.original.topic'];
  if (!originalTopic) throw new NotADlqRecordError(`${formatRef(ref)} has no dlq.original.topic header`);
  const envelope = parseEnvelope(message.value);
  const field = (name: string): string | null =>
    headers[name] ?? (typeof envelope?.[name] === 'string' ? envelope[name] : null);
  const errorName = headers['dlq.error.name'];
  const errorMessage = headers['dlq.error.message'] ?? '';
  return {
    ref,
    original: {
      topic: originalTopic,
      partition: wholeNumber(headers['dlq.original.partition']),
      offset: headers['dlq.original.offset'] ?? null,
    },
    group: headers['dlq.consumer.group'] ?? null,
    messageId: field('messageId'),
    type: field('type'),
    serviceCallId: field('aggregateId') ?? message.key?.toString('utf8') ?? null,
    tenantId: field('tenantId'),
    attempts: wholeNumber(headers['dlq.attempts']),
    error: errorName && errorName !== 'Error' ? `${errorName}: ${errorMessage}` : errorMessage,
    failedAt: headers['dlq.failed.at'] ?? null,
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
    rawHeaders: message.headers ?? {},
  };
}

/** What goes back to the original topic: the original key, value and headers, without the dlq.* ones, marked as replayed. */
export function replayMessage(record: DlqRecord): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(record.rawHeaders))
    if (value !== undefined && !name.startsWith('dlq.')) headers[name] = value;
  headers[REPLAYED_FROM_HEADER] = formatRef(record.ref);
  return { key: record.key, value: record.value, headers };
}

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

function parseEnvelope(value: Buffer | null): Record<string, unknown> | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}
