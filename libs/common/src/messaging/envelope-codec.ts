import { IHeaders, KafkaMessage, Message } from './kafkajs';
import { Envelope } from '../contracts/envelope';

/** The routing fields travel as Kafka headers too (ADR-0003), so tools can filter without parsing. */
export function encodeEnvelope(envelope: Envelope): Message {
  return { key: envelope.aggregateId, value: JSON.stringify(envelope), headers: encodeHeaders(envelope) };
}

export function encodeHeaders(envelope: Envelope): Record<string, string> {
  return {
    messageId: envelope.messageId,
    tenantId: envelope.tenantId,
    aggregateType: envelope.aggregateType,
    aggregateId: envelope.aggregateId,
    type: envelope.type,
    schemaVersion: String(envelope.schemaVersion),
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
  };
}

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

const REQUIRED = ['messageId', 'tenantId', 'aggregateId', 'type', 'correlationId', 'causationId'] as const;

export function decodeEnvelope(message: KafkaMessage): Envelope {
  if (!message.value) throw new MalformedMessageError('message has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch {
    throw new MalformedMessageError('message value is not JSON');
  }
  const candidate = parsed as Record<string, unknown>;
  const missing = REQUIRED.filter((field) => typeof candidate?.[field] !== 'string');
  if (missing.length > 0) throw new MalformedMessageError(`envelope lacks ${missing.join(', ')}`);
  return candidate as unknown as Envelope;
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}
