import { deadLetterMessage, encodeEnvelope } from '@app/common/messaging';
import { KafkaMessage } from '@app/common/messaging/kafkajs';
import { readDlqRecord, replayMessage } from './dlq-record';

const envelope = {
  messageId: 'msg-1',
  tenantId: 'tenant-a',
  aggregateType: 'ServiceCall' as const,
  aggregateId: 'call-1',
  type: 'SubmitServiceCall',
  schemaVersion: 1,
  timestamp: '2026-11-25T10:00:00.000Z',
  correlationId: 'corr',
  causationId: 'cause',
  payload: { serviceCallId: 'call-1' },
};

/** A DLQ record exactly as the consumer writes it (libs/common/src/messaging/dead-letter.ts), as a consumer reads it back. */
function storedDlqRecord(offset: string): KafkaMessage {
  const original = encodeEnvelope(envelope);
  const consumed = {
    key: Buffer.from(String(original.key)),
    value: Buffer.from(String(original.value)),
    headers: toBuffers(original.headers as Record<string, string>),
    offset: '41',
    timestamp: '0',
    attributes: 0,
  };
  const dlq = deadLetterMessage({
    topic: 'p.scheduler.commands.v1',
    partition: 2,
    message: consumed,
    group: 'p.scheduler-core',
    attempts: 3,
    error: new TypeError('cannot read dueAt'),
  });
  return {
    key: dlq.key as Buffer,
    value: dlq.value as Buffer,
    headers: toBuffers(dlq.headers as Record<string, string | Buffer>),
    offset,
    timestamp: '0',
    attributes: 0,
  };
}

const toBuffers = (headers: Record<string, string | Buffer>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

describe('DLQ records', () => {
  it('reads origin, group, message identity, attempts and error from the record the consumer writes', () => {
    const record = readDlqRecord('p.scheduler.commands.v1.dlq.scheduler-core', 0, storedDlqRecord('7'));
    expect(record).toMatchObject({
      ref: { topic: 'p.scheduler.commands.v1.dlq.scheduler-core', partition: 0, offset: '7' },
      original: { topic: 'p.scheduler.commands.v1', partition: 2, offset: '41' },
      group: 'p.scheduler-core',
      messageId: 'msg-1',
      type: 'SubmitServiceCall',
      serviceCallId: 'call-1',
      tenantId: 'tenant-a',
      attempts: 3,
      error: 'TypeError: cannot read dueAt',
    });
    expect(record.failedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('replays the original key, value and headers, without the dlq.* headers, marked with where it came from', () => {
    const record = readDlqRecord('p.scheduler.commands.v1.dlq.scheduler-core', 0, storedDlqRecord('7'));
    const message = replayMessage(record);
    expect(message.key!.toString()).toBe('call-1');
    expect(JSON.parse(message.value!.toString())).toEqual(envelope);
    const headers = Object.fromEntries(Object.entries(message.headers!).map(([k, v]) => [k, String(v)]));
    expect(headers).toEqual({
      ...encodeEnvelope(envelope).headers,
      'dlq.replayed.from': 'p.scheduler.commands.v1.dlq.scheduler-core:0:7',
    });
  });

  it('refuses a message that is not a DLQ record', () => {
    expect(() =>
      readDlqRecord('t', 0, {
        key: null,
        value: Buffer.from('{}'),
        headers: {},
        offset: '0',
        timestamp: '0',
        attributes: 0,
      }),
    ).toThrow(/no dlq.original.topic/);
  });

  it('still lists a record whose value is not JSON and has no envelope headers', () => {
    const raw = {
      key: null,
      value: Buffer.from('not json'),
      headers: toBuffers({
        'dlq.original.topic': 'x',
        'dlq.error.name': 'MalformedMessageError',
        'dlq.error.message': 'message value is not JSON',
      }),
      offset: '3',
      timestamp: '0',
      attributes: 0,
    };
    expect(readDlqRecord('x.dlq.g', 1, raw)).toMatchObject({
      messageId: null,
      type: null,
      serviceCallId: null,
      error: 'MalformedMessageError: message value is not JSON',
    });
  });
});
