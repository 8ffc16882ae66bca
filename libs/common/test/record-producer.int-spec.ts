import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners } from '@app/common/messaging/kafkajs';
import pino from 'pino';
import {
  createKafka,
  createProducer,
  ensureTopics,
  hasBrokerError,
  headerText,
  RecordProducer,
} from '@app/common/messaging';
import { testBrokers } from '../../../test/support/test-database';
import { readTopicToEnd } from '../../../test/support/topic-records';

const log = pino({ level: 'silent' });
const PARTITIONS = 6;

describe('RecordProducer (real Kafka)', () => {
  let kafka: Kafka;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(() => {
    kafka = createKafka('record-producer-it', testBrokers().split(','), log);
  });

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
  });

  /** Every record on the topic so far, with where it landed. */
  async function read(topic: string) {
    const records = await readTopicToEnd(testBrokers().split(','), topic);
    return records.map((r) => ({
      key: r.key!,
      partition: r.partition,
      offset: Number(r.offset),
      value: r.value!,
      header: headerText(r.headers, 'h'),
    }));
  }

  it('puts every key on the partition kafkajs (and Java clients) choose, so producers of a topic agree, and keeps each key in send order', async () => {
    const topic = `it-record-producer-${randomUUID()}`;
    await ensureTopics(kafka, [topic], PARTITIONS);
    const producer = new RecordProducer('record-producer-it', testBrokers().split(','));
    cleanups.push(() => producer.close());
    const keys = Array.from({ length: 120 }, () => randomUUID());
    const records = [0, 1].flatMap((round) =>
      keys.map((key) => ({ topic, key, value: `${key}:${round}`, headers: { h: `round ${round}` } })),
    );
    await producer.send(records);

    // The same keys again from a kafkajs producer with its default (Java-compatible) partitioner.
    const kafkajsProducer = createProducer(kafka);
    await kafkajsProducer.connect();
    cleanups.push(() => kafkajsProducer.disconnect());
    await kafkajsProducer.send({ topic, messages: keys.map((key) => ({ key, value: `${key}:kafkajs` })) });

    const landed = await read(topic);
    expect(landed).toHaveLength(keys.length * 3);
    const javaPartition = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (const key of keys) {
      const ofKey = landed.filter((r) => r.key === key).sort((a, b) => a.offset - b.offset);
      const expected = javaPartition({ topic, partitionMetadata, message: { key, value: null } });
      expect({ key, partitions: ofKey.map((r) => r.partition), values: ofKey.map((r) => r.value) }).toEqual({
        key,
        partitions: [expected, expected, expected],
        values: [`${key}:0`, `${key}:1`, `${key}:kafkajs`],
      });
    }
    expect(new Set(landed.map((r) => r.partition)).size).toBe(PARTITIONS);
    expect(landed.filter((r) => r.value.endsWith(':1')).every((r) => r.header === 'round 1')).toBe(true);
  });

  it('refuses a record larger than the broker takes, with the broker error named, and sends the next request', async () => {
    const topic = `it-record-producer-${randomUUID()}`;
    await ensureTopics(kafka, [topic], 1);
    const producer = new RecordProducer('record-producer-it', testBrokers().split(','));
    cleanups.push(() => producer.close());
    const huge = { topic, key: 'k', value: 'x'.repeat(2 * 1024 * 1024), headers: {} };

    const refusal = await producer.send([huge]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeDefined();
    expect(hasBrokerError(refusal, new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']))).toBe(true);
    expect(hasBrokerError(refusal, new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER']))).toBe(false);

    await producer.send([{ topic, key: 'k', value: 'small', headers: {} }]);
    const landed = await read(topic);
    expect(landed.map((r) => r.value)).toEqual(['small']);
  });
});
