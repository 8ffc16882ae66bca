import { MultipleErrors, ProtocolError } from '@platformatic/kafka';
import { hasBrokerError } from './record-producer';

const LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID']);

describe('hasBrokerError', () => {
  it("finds a broker error by Kafka's name in platformatic's nested errors and causes", () => {
    const refused = new ProtocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(hasBrokerError(refused, LOST)).toBe(true);
    const perBroker = new MultipleErrors('Producing messages failed.', [
      new ProtocolError('NOT_LEADER_OR_FOLLOWER'),
      refused,
    ]);
    expect(hasBrokerError(new MultipleErrors('Producing messages failed.', [perBroker]), LOST)).toBe(true);
    expect(hasBrokerError(new Error('wrapped', { cause: perBroker }), LOST)).toBe(true);
  });

  it('says no for other errors, for what is not an error, and for cycles', () => {
    expect(hasBrokerError(new ProtocolError('NOT_LEADER_OR_FOLLOWER'), LOST)).toBe(false);
    expect(hasBrokerError(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'), LOST)).toBe(false);
    expect(hasBrokerError(undefined, LOST)).toBe(false);
    expect(hasBrokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', LOST)).toBe(false);
    const looped: Error & { cause?: unknown } = new Error('loop');
    looped.cause = looped;
    expect(hasBrokerError(looped, LOST)).toBe(false);
  });
});
