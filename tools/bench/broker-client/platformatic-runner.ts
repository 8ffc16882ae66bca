import {
  Consumer,
  Message,
  MessagesStream,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringSerializers,
} from '@platformatic/kafka';
import { CoalescingCommitter } from './coalescing-committer';
import { decodeValue } from './decode-value';
import { producePlan } from './produce-plan';
import { ClientRunner, FetchSettings } from './scenario';
import { sleep } from './sleep';

const FETCH_BYTES = { maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 };
type Record = Message<Buffer, Buffer, Buffer, Buffer>;

/** @platformatic/kafka set up as our transport would need it: idempotent producer, manual commits, batches per partition. */
export function platformaticRunner(brokers: string): ClientRunner {
  const base = {
    clientId: 'bench-platformatic',
    bootstrapBrokers: [brokers],
    autocreateTopics: false,
    retries: 8,
    retryDelay: 200,
  };
  const consumerFor = (groupId: string, fetch: FetchSettings) =>
    new Consumer({
      ...base,
      groupId,
      sessionTimeout: fetch.sessionTimeoutMs,
      heartbeatInterval: fetch.heartbeatMs,
      maxWaitTime: fetch.maxWaitMs,
      minBytes: fetch.minBytes,
      autocommit: false,
      ...FETCH_BYTES,
    });
  const streamOf = (consumer: Consumer, topic: string) =>
    consumer.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: 'earliest', autocommit: false });
  return {
    async produce(scenario, window) {
      // idempotent forces acks=all and one request in flight per connection.
      const producer = new Producer({
        ...base,
        idempotent: true,
        acks: ProduceAcks.ALL,
        maxInflights: 1,
        serializers: stringSerializers,
      });
      const plan = producePlan(scenario.batchSize, scenario.messages);
      const send = (i: number) =>
        producer.send({
          messages: plan.batch(i).map((m) => ({ topic: scenario.topic, key: m.key, value: m.value, headers: m.headers })),
        });
      for (let i = 0; i < plan.warmUpBatches; i++) await send(i);
      window.open();
      for (let i = 0; i < plan.batches; i++) await send(i);
      window.close(plan.batches * scenario.batchSize);
      await producer.close();
    },

    async consume(scenario, window) {
      const consumer = consumerFor(scenario.groupId, {
        label: 'consume',
        maxWaitMs: 500,
        minBytes: 1,
        heartbeatMs: 1_000,
        sessionTimeoutMs: 8_000,
      });
      const committer = new CoalescingCommitter((offsets) =>
        consumer.commit({ offsets: offsets.map((o) => ({ ...o, leaderEpoch: -1 })) }),
      );
      let seen = 0;
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      window.open();
      const stream = await streamOf(consumer, scenario.topic);
      eachBatch(stream, (topic, partition, records) => {
        for (const record of records) decodeValue(record.value);
        committer.commit({ topic, partition, offset: records[records.length - 1].offset + 1n });
        seen += records.length;
        if (seen >= scenario.messages) finished();
      });
      await done;
      await committer.drain();
      window.close(seen);
      await stream.close();
      await consumer.close();
    },

    async idle(scenario, window) {
      const consumer = consumerFor(scenario.groupId, scenario.fetch);
      const joined = new Promise<void>((resolve) => consumer.once('consumer:group:join', () => resolve()));
      const counts = { heartbeats: 0, fetches: 0 };
      consumer.on('consumer:heartbeat:end', () => counts.heartbeats++);
      const stream = await streamOf(consumer, scenario.topic);
      stream.on('fetch', () => counts.fetches++);
      eachBatch(stream, () => undefined);
      await joined;
      await sleep(2_000);
      window.open();
      Object.assign(counts, { heartbeats: 0, fetches: 0 });
      await sleep(scenario.seconds * 1_000);
      window.close(0, counts);
      await stream.close();
      await consumer.close();
    },
  };
}

/**
 * The stream hands over records one by one; a fetch response's records are pushed in one go, so
 * collecting them until the next turn of the event loop yields the per-partition batch kafkajs's
 * eachBatch gives. A real transport would also pause the stream while a handler runs.
 */
function eachBatch(
  stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
  handle: (topic: string, partition: number, records: Record[]) => void,
): void {
  let pending = new Map<string, Record[]>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batches = pending;
    pending = new Map();
    for (const records of batches.values()) handle(records[0].topic, records[0].partition, records);
  };
  stream.on('data', (record: Record) => {
    const key = `${record.topic}:${record.partition}`;
    const records = pending.get(key);
    if (records) records.push(record);
    else pending.set(key, [record]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  stream.on('error', (error) => {
    process.stderr.write(`platformatic stream error: ${error.message}\n`);
    process.exit(1);
  });
}
