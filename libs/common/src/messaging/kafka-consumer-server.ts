import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { dlqTopic } from '../contracts/topics';
import { Log, messageLogFields } from '../observability/log';
import { consumerLag, messagesConsumed } from '../observability/metrics';
import { deadLetterMessage } from './dead-letter';
import { decodeEnvelope, MalformedMessageError } from './envelope-codec';
import { createProducer } from './create-producer';
import { ensureTopics } from './ensure-topics';
import { KafkaMessageContext } from './kafka-message-context';
import { OffsetCommitter } from './offset-committer';
import { TopicNamespace } from './topic-namespace';
import { backoffMs, DEFAULT_RETRY_POLICY, RetryPolicy } from './retry-policy';

export interface KafkaConsumerServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Topics this group consumes; each needs an @EventPattern(topic) handler. */
  readonly topics: readonly string[];
  /** Topics to create at start if missing (the consumed ones, their DLQs, and what this app produces). */
  readonly topicsToCreate: readonly string[];
  readonly partitions: number;
  readonly log: Log;
  readonly namespace?: TopicNamespace;
  readonly retryPolicy?: RetryPolicy;
  /** Partitions handled at once; each partition stays strictly in order. */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to others (failover
   * time after a crash). Must exceed the longest handler run, since kafkajs heartbeats between messages.
   */
  readonly sessionTimeoutMs?: number;
  /** What to do when the consumer crashes for good; the apps exit non-zero so they are restarted. */
  readonly onCrash?: (error: Error) => void;
}

/**
 * A Nest transport over kafkajs with the semantics the stock Kafka transport lacks: offsets are
 * committed only after the handler (and so its Postgres transaction) finished (OffsetCommitter), bounded retries
 * then a per-group DLQ, topics created explicitly, and a crash that ends the process.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: Producer;
  private joined = false;
  private readonly offsets: OffsetCommitter;
  private readonly retry: RetryPolicy;
  private readonly namespace: TopicNamespace;

  constructor(private readonly options: KafkaConsumerServerOptions) {
    super();
    this.retry = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.namespace = options.namespace ?? new TopicNamespace();
    this.offsets = new OffsetCommitter(() => this.consumer, options.log);
  }

  get isReady(): boolean {
    return this.joined;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    const { kafka, topics, log } = this.options;
    const ns = this.namespace;
    const groupId = ns.physical(this.options.groupId);
    await ensureTopics(kafka, this.options.topicsToCreate.map((t) => ns.physical(t)), this.options.partitions);
    this.producer = createProducer(kafka);
    await this.producer.connect();
    const sessionTimeout = this.options.sessionTimeoutMs ?? 15_000;
    const consumer = kafka.consumer({
      groupId, allowAutoTopicCreation: false, sessionTimeout, heartbeatInterval: Math.floor(sessionTimeout / 5),
      retry: { retries: 8, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      log.info({ groupId, assignment: e.payload.memberAssignment }, 'consumer joined group');
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      consumerLag.set({ group: groupId, topic: e.payload.topic, partition: String(e.payload.partition) }, Number(e.payload.offsetLag));
    });
    consumer.on(consumer.events.CRASH, (e) => {
      log.error({ groupId, error: e.payload.error.message, restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart) (this.options.onCrash ?? defaultCrash)(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => ns.physical(t)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? this.options.partitions,
      eachMessage: (payload) => this.process(payload),
    });
  }

  private async process({ topic: physicalTopic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const { groupId, log } = this.options;
    const topic = this.namespace.logical(physicalTopic);
    let attempts = 0;
    let lastError: unknown;
    try {
      const envelope = decodeEnvelope(message);
      log.info({ ...messageLogFields(envelope), groupId, topic, partition, offset: message.offset }, 'consumed');
      const handler = this.getHandlerByPattern(topic);
      if (!handler) throw new MalformedMessageError(`no handler for topic ${topic}`);
      while (attempts < this.retry.maxAttempts) {
        attempts += 1;
        try {
          const context = new KafkaMessageContext([topic, partition, message.offset, attempts]);
          await lastValueFrom(this.transformToObservable(await handler(envelope, context)), { defaultValue: undefined });
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
          log.warn({ groupId, topic, partition, offset: message.offset, attempt: attempts, error: errorText(error) }, 'handler failed');
          if (attempts < this.retry.maxAttempts) {
            await sleep(backoffMs(this.retry, attempts));
            await heartbeat();
          }
        }
      }
    } catch (error) {
      lastError = error; // undecodable: retrying cannot help
    }
    if (lastError !== undefined) await this.deadLetter(topic, partition, message, attempts, lastError);
    messagesConsumed.inc({ group: groupId, topic, outcome: lastError === undefined ? 'handled' : 'dead_lettered' });
    this.offsets.commit(physicalTopic, partition, (BigInt(message.offset) + 1n).toString());
  }

  private async deadLetter(topic: string, partition: number, message: EachMessagePayload['message'], attempts: number, error: unknown): Promise<void> {
    const { groupId, log } = this.options;
    const target = this.namespace.physical(dlqTopic(topic, groupId));
    // The DLQ record names the real (prefixed) topic and group, so an operator can find and replay it.
    const source = { topic: this.namespace.physical(topic), partition, message, group: this.namespace.physical(groupId), attempts, error };
    await this.producer!.send({ topic: target, messages: [deadLetterMessage(source)] });
    log.error({ groupId, topic, partition, offset: message.offset, dlq: target, attempts, error: errorText(error) }, 'message sent to DLQ');
  }

  async close(): Promise<void> {
    await this.offsets.drain();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.joined = false;
  }

  on(): never {
    throw new Error('KafkaConsumerServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function defaultCrash(error: Error): void {
  process.stderr.write(`kafka consumer crashed: ${error.message}\n`);
  process.exit(1);
}
