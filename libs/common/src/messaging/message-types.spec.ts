import { randomUUID } from 'node:crypto';
import { Envelope } from '../contracts/envelope';
import { isTransientFault } from '../faults/is-transient-fault';
import { ConsumedMessage } from './consumed-message';
import { envelopesOfTypes, UnknownMessageTypeError } from './message-types';

type Ping = Envelope<'Ping', Record<string, never>>;

const record = (type: string, offset: number): ConsumedMessage => ({
  envelope: {
    messageId: randomUUID(),
    tenantId: 'tenant-a',
    aggregateType: 'ServiceCall',
    aggregateId: randomUUID(),
    type,
    schemaVersion: 1,
    timestamp: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    payload: {},
  },
  topic: 'probe.v1',
  physicalTopic: 'it-prefix.probe.v1',
  partition: 0,
  offset: String(offset),
});

describe('envelopesOfTypes', () => {
  it('hands over the envelopes of a batch whose records are all of the types taken', () => {
    const batch = [record('Ping', 0), record('Ping', 1)];

    expect(envelopesOfTypes<Ping>(batch, ['Ping'])).toEqual(batch.map((m) => m.envelope));
  });

  it('refuses a batch holding a type it does not take, naming the type and the topic', () => {
    const batch = [record('Ping', 0), record('NoSuchMessageType', 1)];

    expect(() => envelopesOfTypes<Ping>(batch, ['Ping'])).toThrow(
      new UnknownMessageTypeError('unknown message type "NoSuchMessageType" on probe.v1 (expected Ping)'),
    );
  });

  it('refuses a type the system knows when this consumer does not take it, as its own error (poison, not transient)', () => {
    const refuse = () => envelopesOfTypes<Ping>([record('RecordExecutionResult', 0)], ['Ping']);

    expect(refuse).toThrow(UnknownMessageTypeError);
    expect(refuse).toThrow('unknown message type "RecordExecutionResult" on probe.v1 (expected Ping)');
    expect(isTransientFault(new UnknownMessageTypeError('x'))).toBe(false);
  });
});
