import { KafkaMessage } from './kafkajs';
import { Envelope } from '../contracts/envelope';
import { deadLetterMessage } from './dead-letter';
import { decodeEnvelope, encodeEnvelope, MalformedMessageError } from './envelope-codec';
import { backoffMs, RetryPolicy } from './retry-policy';

const envelope: Envelope = {
  messageId: 'm-1',
  tenantId: 't',
  aggregateType: 'ServiceCall',
  aggregateId: 'call-1',
  type: 'SubmitServiceCall',
  schemaVersion: 1,
  timestamp: '2026-11-25T00:00:00.000Z',
  correlationId: 'c',
  causationId: 'r',
  payload: { a: 1 },
};
const asReceived = (m: ReturnType<typeof encodeEnvelope>, offset = '7'): KafkaMessage =>
  ({
    key: Buffer.from(String(m.key)),
    value: Buffer.from(String(m.value)),
    headers: m.headers,
    offset,
    timestamp: '0',
    attributes: 0,
    size: 0,
  }) as KafkaMessage;

describe('envelope codec', () => {
  it('keys by aggregate id, mirrors routing fields in headers and round-trips', () => {
    const encoded = encodeEnvelope(envelope);
    expect(encoded.key).toBe('call-1');
    expect(encoded.headers).toMatchObject({
      messageId: 'm-1',
      type: 'SubmitServiceCall',
      correlationId: 'c',
      causationId: 'r',
      schemaVersion: '1',
    });
    expect(decodeEnvelope(asReceived(encoded))).toEqual(envelope);
  });

  it('rejects values that are not an envelope', () => {
    const bad = (value: string) => ({ ...asReceived(encodeEnvelope(envelope)), value: Buffer.from(value) });
    expect(() => decodeEnvelope(bad('not json'))).toThrow(MalformedMessageError);
    expect(() => decodeEnvelope(bad('{"messageId":"x"}'))).toThrow(/lacks tenantId/);
  });

  it('builds a DLQ record that keeps the original and says where and why it failed', () => {
    const original = asReceived(encodeEnvelope(envelope), '42');
    const dlq = deadLetterMessage({
      topic: 'scheduler.commands.v1',
      partition: 3,
      message: original,
      group: 'scheduler-core',
      attempts: 5,
      error: new Error('boom'),
    });
    expect(dlq.value).toBe(original.value);
    expect(dlq.headers).toMatchObject({
      'dlq.original.topic': 'scheduler.commands.v1',
      'dlq.original.partition': '3',
      'dlq.original.offset': '42',
      'dlq.error.message': 'boom',
      'dlq.attempts': '5',
      messageId: 'm-1',
    });
  });

  it('backs off exponentially up to a ceiling', () => {
    const policy: RetryPolicy = { poisonAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 500 };
    expect([1, 2, 3, 4].map((n) => backoffMs(policy, n))).toEqual([100, 200, 400, 500]);
  });
});
