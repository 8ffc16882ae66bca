import { Consumer, Kafka, logLevel, Partitioners } from '@app/common/messaging/kafkajs';
import { CoalescingCommitter } from './coalescing-committer';
import { decodeValue } from './decode-value';
import { producePlan } from './produce-plan';
import { ClientRunner } from './scenario';
import { sleep } from './sleep';

const FETCH_BYTES = { maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 };

/** kafkajs 2.2.4 configured as libs/common/src/messaging configures it. */
export function kafkajsRunner(brokers: string): ClientRunner {
  const kafka = new Kafka({
    clientId: 'bench-kafkajs',
    brokers: [brokers],
    logLevel: logLevel.ERROR,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  return {
    async produce(scenario, window) {
      const producer = kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      const plan = producePlan(scenario.batchSize, scenario.messages);
      const send = (i: number) =>
        producer.sendBatch({ acks: -1, topicMessages: [{ topic: scenario.topic, messages: plan.batch(i) }] });
      for (let i = 0; i < plan.warmUpBatches; i++) await send(i);
      window.open();
      for (let i = 0; i < plan.batches; i++) await send(i);
      window.close(plan.batches * scenario.batchSize);
      await producer.disconnect();
    },

    async consume(scenario, window) {
      const consumer = kafka.consumer({
        groupId: scenario.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 8_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 500,
        ...FETCH_BYTES,
      });
      const committer = new CoalescingCommitter((offsets) =>
        consumer.commitOffsets(offsets.map((o) => ({ ...o, offset: String(o.offset) }))),
      );
      let seen = 0;
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      await consumer.connect();
      await consumer.subscribe({ topics: [scenario.topic], fromBeginning: true });
      window.open();
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 6,
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (batch.messages.length === 0) return;
          for (const message of batch.messages) decodeValue(message.value);
          const last = batch.messages[batch.messages.length - 1].offset;
          payload.resolveOffset(last);
          committer.commit({ topic: batch.topic, partition: batch.partition, offset: BigInt(last) + 1n });
          seen += batch.messages.length;
          if (seen >= scenario.messages) finished();
        },
      });
      await done;
      await committer.drain();
      window.close(seen);
      await consumer.disconnect();
    },

    async idle(scenario, window) {
      const { fetch } = scenario;
      const consumer: Consumer = kafka.consumer({
        groupId: scenario.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: fetch.sessionTimeoutMs,
        heartbeatInterval: fetch.heartbeatMs,
        maxWaitTimeInMs: fetch.maxWaitMs,
        minBytes: fetch.minBytes,
        ...FETCH_BYTES,
      });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      const counts = { heartbeats: 0, fetches: 0 };
      consumer.on(consumer.events.HEARTBEAT, () => counts.heartbeats++);
      consumer.on(consumer.events.REQUEST, (e) => {
        if (e.payload.apiName === 'Fetch') counts.fetches++;
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [scenario.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 6,
        eachBatch: async () => undefined,
      });
      await joined;
      await sleep(2_000);
      window.open();
      Object.assign(counts, { heartbeats: 0, fetches: 0 });
      await sleep(scenario.seconds * 1_000);
      window.close(0, counts);
      await consumer.disconnect();
    },
  };
}
