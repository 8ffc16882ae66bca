import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from './kafkajs';
import { lastValueFrom } from 'rxjs';
import { dlqTopic } from '../contracts/topics';
import { isTransientFault } from '../faults/is-transient-fault';
import { recordMessageAges } from '../observability/hop-metrics';
import { debugEnabled, Log, messageLogFields } from '../observability/log';
import {
  consumerBatchSize,
  consumerLag,
  consumerRetries,
  inFlightMessages,
  messagesConsumed,
} from '../observability/metrics';
import { BatchCoalescer } from './batch-coalescer';
import { processBatch } from './batch-processing';
import { DEFAULT_CLOSE_GRACE_MS } from './close-grace';
import { BatchOutcome, ConsumedMessage } from './consumed-message';
import { createProducer } from './create-producer';
import { deadLetterMessage } from './dead-letter';
import { decodeEnvelope } from './envelope-codec';
import { ensureTopics } from './ensure-topics';
import { KafkaMessageContext } from './kafka-message-context';
import { MessageSpan, startMessageSpan } from './message-span';
import { OffsetCommitter } from './offset-committer';
import { PendingOffsets } from './pending-offsets';
import { backoffMs, DEFAULT_RETRY_POLICY, RetryPolicy } from './retry-policy';
import { TopicNamespace } from './topic-namespace';

/** When the broker answers a fetch: once `minBytes` are there, or after `maxWaitMs`. */
export interface FetchWait {
  readonly minBytes: number;
  readonly maxWaitMs: number;
}

export interface KafkaConsumerServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Topics this group consumes; each needs an @EventPattern(topic) handler taking a ConsumedMessage[]. */
  readonly topics: readonly string[];
  /** Topics to create at start if missing (the consumed ones, their DLQs, and what this app produces). */
  readonly topicsToCreate: readonly string[];
  readonly partitions: number;
  readonly log: Log;
  readonly namespace?: TopicNamespace;
  readonly retryPolicy?: RetryPolicy;
  /**
   * The most messages handed to a handler at once; larger fetches are split. Batches of several
   * partitions that arrive together are joined up to this size (BatchCoalescer).
   */
  readonly maxBatchSize?: number;
  /** For handlers that return completions: how many unfinished messages this process holds at most. */
  readonly maxInFlight?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to others (failover
   * time after a crash); 6 s by default (docs/reliability.md, Failover).
   */
  readonly sessionTimeoutMs?: number;
  /**
   * How long one handler call may run with the member heartbeating for it; past it the handler is
   * taken for hung and the member stops heartbeating (Kafka's max.poll.interval.ms). 60 s by default,
   * kafkajs's rebalance timeout: as long as a rebalance waits for a busy member anyway.
   */
  readonly maxHandlerMs?: number;
  /**
   * At most one offset commit starts per this many ms (offsets finished meanwhile are coalesced);
   * 250 ms by default. A crash or rebalance redelivers up to this much work, which handlers absorb.
   */
  readonly commitIntervalMs?: number;
  /**
   * How long close() lets deferred work (calls still running) finish before it leaves the group;
   * 12 s by default. The member keeps heartbeating meanwhile, so this is not bound to the session
   * timeout. Work still unfinished then is not committed, and whoever takes the partition gets it.
   */
  readonly closeGraceMs?: number;
  /**
   * How a fetch waits for records: the broker answers once `minBytes` are there or after
   * `maxWaitMs`. By default it answers with the first byte (and waits up to 500 ms for it), so
   * records reach the handler at once; a consumer off the execution path may instead wait to take
   * larger batches, for fewer handler calls per record (ADR-0013).
   */
  readonly fetch?: FetchWait;
  /** What to do when the consumer stops for good on a fault that cannot heal; the apps exit non-zero. */
  readonly onCrash?: (error: Error) => void;
}

/**
 * The lowest session timeout a broker accepts by default (group.min.session.timeout.ms, Kafka and
 * Redpanda): a killed member's partitions move about this long after its last heartbeat. Safe for
 * slow handlers, which heartbeat while they work.
 */
const DEFAULT_SESSION_TIMEOUT_MS = 6_000;

const DEFAULT_MAX_HANDLER_MS = 60_000;

const DEFAULT_COMMIT_INTERVAL_MS = 250;

interface Decoded {
  readonly message: ConsumedMessage;
  readonly raw: KafkaMessage;
}

/**
 * A Nest transport over kafkajs with the semantics the stock one lacks (DESIGN.md §1, §9): each
 * partition's records reach the handler as a batch, in order, joined with the batches of other
 * partitions fetched at the same time (BatchCoalescer); offsets are committed only after the batch's
 * work is durable (and, for handlers that finish out of order, only below the oldest unfinished
 * message); transient faults retry the same batch for as long as they last; only poison goes to
 * `<topic>.dlq.<group>`; retriable broker errors restart the consumer in place.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;
  private producer?: Producer;
  private joined = false;
  private running = false;
  private generation = 0;
  private restarts = 0;
  private readonly offsets: OffsetCommitter;
  private readonly retry: RetryPolicy;
  private readonly namespace: TopicNamespace;
  private readonly pending = new Map<string, PendingOffsets>();
  private readonly unfinished = new Set<Promise<unknown>>();
  private readonly capacityWaiters: Array<() => void> = [];
  /** Each topic's handler and coalescer, made on its first batch; null for a topic no handler is registered for. */
  private readonly routes = new Map<string, TopicRoute | null>();
  /** Aborted by close(): every backoff ends then, since each loop checks whether it may go on once it wakes. */
  private stopping = stopSignal();

  constructor(private readonly options: KafkaConsumerServerOptions) {
    super();
    this.retry = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.namespace = options.namespace ?? new TopicNamespace();
    this.offsets = new OffsetCommitter(
      () => this.consumer,
      options.log,
      options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS,
    );
  }

  private get maxBatchSize(): number {
    return this.options.maxBatchSize ?? 500;
  }

  private get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  }

  private get heartbeatIntervalMs(): number {
    return Math.max(500, Math.floor(this.sessionTimeoutMs / 8));
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
    const { kafka } = this.options;
    const ns = this.namespace;
    await ensureTopics(
      kafka,
      this.options.topicsToCreate.map((t) => ns.physical(t)),
      this.options.partitions,
    );
    this.producer = createProducer(kafka);
    await this.producer.connect();
    this.stopping = stopSignal();
    this.running = true;
    await this.runConsumer();
  }

  /** Creates, joins and runs the group's consumer; called again after a crash that can heal. */
  private async runConsumer(): Promise<void> {
    const { kafka, topics, log } = this.options;
    const ns = this.namespace;
    const groupId = ns.physical(this.options.groupId);
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      minBytes: this.options.fetch?.minBytes ?? 1,
      maxWaitTimeInMs: this.options.fetch?.maxWaitMs ?? 500,
      retry: {
        retries: 8,
        // kafkajs would restart on a retriable error every 200 ms, without backoff, for as long as it
        // lasts (a coordinator loading); the CRASH handler below restarts with backoff instead.
        restartOnFailure: async () => false,
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      this.restarts = 0;
      // Work in flight keeps its bookkeeping across a rebalance: a kept partition must still not be
      // committed past a call that is running, and a redelivered message joins its running work.
      this.generation += 1;
      // Partitions that moved to another member must not keep reporting this member's last lag.
      consumerLag.reset();
      log.info({ groupId, assignment: e.payload.memberAssignment }, 'consumer joined group');
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      consumerLag.set(
        { group: groupId, topic: e.payload.topic, partition: String(e.payload.partition) },
        Number(e.payload.offsetLag),
      );
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const { error } = e.payload;
      this.joined = false;
      this.generation += 1;
      if (!this.running) return;
      if (!canHeal(error)) {
        log.error({ groupId, error: error.message }, 'consumer stopped');
        (this.options.onCrash ?? defaultCrash)(error);
        return;
      }
      // kafkajs gave up on an error that time heals (the brokers refusing connections, a coordinator
      // loading or moving, for longer than its own retries): start a new consumer after a backoff, for
      // as long as it takes.
      this.restarts += 1;
      const wait = backoffMs(this.retry, this.restarts);
      log.warn(
        { groupId, error: error.message, restartInMs: wait, restarts: this.restarts },
        'consumer stopped on a broker fault that heals; starting a new one',
      );
      setTimeout(() => void this.restartConsumer(), wait);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map((t) => ns.physical(t)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitions,
      eachBatch: (payload) => this.processFetchedBatch(payload),
    });
  }

  private async restartConsumer(): Promise<void> {
    if (!this.running) return;
    await this.consumer?.disconnect().catch(() => undefined);
    try {
      await this.runConsumer();
    } catch (error) {
      // Still away: try again later, the same way.
      this.restarts += 1;
      const wait = backoffMs(this.retry, this.restarts);
      this.options.log.warn({ error: errorText(error), restartInMs: wait }, 'brokers still unreachable; trying again');
      setTimeout(() => void this.restartConsumer(), wait);
    }
  }

  private async processFetchedBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const generation = this.generation;
    const isActive = () => this.running && payload.isRunning() && !payload.isStale() && generation === this.generation;
    const size = this.maxBatchSize;
    for (let from = 0; from < batch.messages.length; from += size) {
      const chunk = batch.messages.slice(from, from + size);
      const handled = await this.processChunk(batch, chunk, payload, isActive);
      if (!handled) return;
      payload.resolveOffset(chunk[chunk.length - 1].offset);
    }
  }

  /** False when the work was taken away (stop or rebalance): nothing more is resolved or committed. */
  private async processChunk(
    batch: Batch,
    chunk: KafkaMessage[],
    payload: EachBatchPayload,
    isActive: () => boolean,
  ): Promise<boolean> {
    const { groupId, log } = this.options;
    const topic = this.namespace.logical(batch.topic);
    const partition = batch.partition;
    const pending = this.pendingFor(batch.topic, partition);
    // Only what this chunk added is this chunk's to finish or forget: a record read again while its
    // earlier work still runs (after a rebalance kept the partition) stays held by that work.
    const added = new Set(chunk.filter((raw) => pending.add(raw.offset)).map((raw) => raw.offset));
    const release = (offset: string, done: boolean) => {
      if (!added.has(offset)) return;
      if (done) pending.finish(offset);
      else pending.forget(offset);
    };
    const decoded: Decoded[] = [];
    for (const raw of chunk) {
      try {
        decoded.push({
          raw,
          message: { envelope: decodeEnvelope(raw), topic, physicalTopic: batch.topic, partition, offset: raw.offset },
        });
      } catch (error) {
        // Undecodable: no retry can help.
        if (!(await this.untilDeadLettered(topic, partition, raw, error, isActive))) {
          for (const r of chunk) release(r.offset, false);
          return false;
        }
      }
    }
    const route = this.routeFor(topic);
    await this.untilCapacity(isActive, payload);
    const spans = this.startSpans(decoded, batch.topic, partition);
    const endSpan = (offset: string, error?: unknown) => {
      spans.get(offset)?.end(error);
      spans.delete(offset);
    };
    const deferred = new Set<string>();
    const result = await processBatch(
      decoded,
      {
        handle: async (items) => {
          if (!route) throw new Error(`no handler for topic ${topic}`);
          if (debugEnabled(log))
            for (const d of items)
              log.debug(
                { ...messageLogFields(d.message.envelope), groupId, topic, partition, offset: d.message.offset },
                'consumed',
              );
          const outcome = await this.heartbeatingWhile(payload, () => route.coalescer.submit(items.map((d) => d.message)));
          items.forEach((item, i) => {
            const done = outcome?.completions[i];
            if (!done) return;
            deferred.add(item.raw.offset);
            const again = async () => (await this.invoke(topic, route.handler, [item.message]))?.completions[0];
            this.track(pending, batch.topic, topic, partition, item, done, again, (error) =>
              endSpan(item.raw.offset, error),
            );
          });
          messagesConsumed.inc({ group: groupId, topic, outcome: 'handled' }, items.length);
        },
        deadLetter: async (item, error, attempts) => {
          await this.deadLetter(topic, partition, item.raw, attempts, error);
          messagesConsumed.inc({ group: groupId, topic, outcome: 'dead_lettered' });
          endSpan(item.raw.offset, error);
        },
        isActive,
        heartbeat: () => payload.heartbeat(),
        onRetry: (error, attempt, items, transient) => {
          consumerRetries.inc({ group: groupId, topic, kind: transient ? 'transient' : 'handler' });
          const offsets =
            items.length > 0 ? `${items[0].message.offset}..${items[items.length - 1].message.offset}` : undefined;
          log.warn(
            { groupId, topic, partition, offsets, attempt, transient, error: errorText(error) },
            transient ? 'dependency unavailable; retrying the same batch' : 'handler failed',
          );
        },
        sleep: (ms) => this.pause(ms),
      },
      this.retry,
    );
    if (result === 'abandoned') {
      // The partition was taken away or the consumer stops: these records will be read again by
      // whoever owns the partition, so they neither hold this process's commits back nor advance them.
      for (const raw of chunk) {
        if (deferred.has(raw.offset)) continue;
        release(raw.offset, false);
        endSpan(raw.offset, 'handed back: the partition was taken away or the consumer is stopping');
      }
      return false;
    }
    for (const raw of chunk) {
      if (deferred.has(raw.offset)) continue;
      release(raw.offset, true);
      endSpan(raw.offset);
    }
    this.commitUpTo(pending, batch.topic, partition);
    return true;
  }

  /**
   * Handlers are all registered before the server listens, so a topic's route never changes; it is
   * looked up once because Nest's lookup JSON.parses the pattern, which throws for a topic name.
   * Batches of the topic's partitions handed over together go to its handler in one call (BatchCoalescer).
   */
  private routeFor(topic: string): TopicRoute | null {
    let route = this.routes.get(topic);
    if (route === undefined) {
      const handler = this.getHandlerByPattern(topic);
      route = handler && {
        handler,
        coalescer: new BatchCoalescer((messages) => this.invoke(topic, handler, messages), this.maxBatchSize),
      };
      this.routes.set(topic, route);
    }
    return route;
  }

  private async invoke(topic: string, handler: MessageHandler, messages: readonly ConsumedMessage[]): Promise<BatchOutcome> {
    const { groupId } = this.options;
    consumerBatchSize.observe({ group: groupId }, messages.length);
    recordMessageAges(groupId, topic, messages);
    const context = new KafkaMessageContext([topic, messages[0].partition, messages[0].offset, 1]);
    return (await lastValueFrom(this.transformToObservable(await handler(messages, context)), {
      defaultValue: undefined,
    })) as BatchOutcome;
  }

  /**
   * Heartbeats while a handler works, for at most maxHandlerMs: kafkajs sends them only between
   * batches, and a slow transaction must not cost the member its partitions (its commit would fail
   * and the batch be read again). A handler that runs longer is taken for hung: the heartbeats stop,
   * so the session expires and the group can give the partition to another member.
   */
  private async heartbeatingWhile<T>(payload: EachBatchPayload, work: () => Promise<T>): Promise<T> {
    const stopAt = Date.now() + (this.options.maxHandlerMs ?? DEFAULT_MAX_HANDLER_MS);
    const timer = setInterval(() => {
      if (Date.now() > stopAt) clearInterval(timer);
      // An error here (a rebalance) is kafkajs's to act on at its own heartbeat after the batch.
      else void payload.heartbeat().catch(() => undefined);
    }, this.heartbeatIntervalMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /** One span per record, open while the batch (or the record's deferred work) is handled; none while tracing is off. */
  private startSpans(decoded: readonly Decoded[], physicalTopic: string, partition: number): Map<string, MessageSpan> {
    const spans = new Map<string, MessageSpan>();
    const group = this.namespace.physical(this.options.groupId);
    for (const { message, raw } of decoded) {
      const span = startMessageSpan({ envelope: message.envelope, raw, physicalTopic, partition, group });
      if (span) spans.set(raw.offset, span);
    }
    return spans;
  }

  /** Commits up to the oldest unfinished offset of the partition. */
  private commitUpTo(pending: PendingOffsets, physicalTopic: string, partition: number): void {
    const offset = pending.committable();
    if (offset !== undefined) this.offsets.commit(physicalTopic, partition, offset);
  }

  /** True once the record is in its DLQ; false if the consumer stopped first (the record then stays uncommitted). */
  private async untilDeadLettered(
    topic: string,
    partition: number,
    raw: KafkaMessage,
    error: unknown,
    isActive: () => boolean,
  ): Promise<boolean> {
    for (let attempt = 1; isActive(); attempt++) {
      try {
        await this.deadLetter(topic, partition, raw, 1, error);
        messagesConsumed.inc({ group: this.options.groupId, topic, outcome: 'dead_lettered' });
        return true;
      } catch (e) {
        this.options.log.warn(
          { topic, partition, offset: raw.offset, error: errorText(e) },
          'dead-lettering failed; retrying',
        );
        await this.pause(backoffMs(this.retry, attempt));
      }
    }
    return false;
  }

  private pendingFor(physicalTopic: string, partition: number): PendingOffsets {
    const key = `${physicalTopic}:${partition}`;
    let pending = this.pending.get(key);
    if (!pending) this.pending.set(key, (pending = new PendingOffsets()));
    return pending;
  }

  /** Follows one message's deferred work; when it settles, the partition's commit may move up to the oldest unfinished offset. */
  private track(
    pending: PendingOffsets,
    physicalTopic: string,
    topic: string,
    partition: number,
    item: Decoded,
    done: Promise<unknown>,
    again: () => Promise<unknown>,
    onSettled: (error?: unknown) => void,
  ): void {
    const tracked = this.untilSettled(topic, partition, item, done, again)
      .then(
        () => {
          pending.finish(item.message.offset);
          onSettled();
        },
        // Stopping with the work failed: the offset stays unfinished, so it is read again after a restart.
        (error: unknown) => {
          this.options.log.warn(
            { topic, partition, offset: item.message.offset, error: errorText(error) },
            'deferred work left unfinished at stop',
          );
          onSettled(error);
        },
      )
      .finally(() => {
        this.unfinished.delete(tracked);
        inFlightMessages.set({ group: this.namespace.physical(this.options.groupId) }, this.unfinished.size);
        this.commitUpTo(pending, physicalTopic, partition);
        this.capacityWaiters.splice(0).forEach((wake) => wake());
      });
    this.unfinished.add(tracked);
    inFlightMessages.set({ group: this.namespace.physical(this.options.groupId) }, this.unfinished.size);
  }

  /**
   * Deferred work that failed transiently is handed to the handler again (the same message, alone)
   * for as long as the fault lasts; work that failed for what the message is goes to the DLQ.
   */
  private async untilSettled(
    topic: string,
    partition: number,
    item: Decoded,
    done: Promise<unknown>,
    again: () => Promise<unknown>,
  ): Promise<void> {
    let current: Promise<unknown> = done;
    for (let attempt = 1; ; attempt++) {
      try {
        // Awaited even while stopping: the offset is released only once the work has settled.
        await current;
        return;
      } catch (error) {
        if (!isTransientFault(error)) {
          if (!(await this.untilDeadLettered(topic, partition, item.raw, error, () => this.running))) throw error;
          return;
        }
        this.options.log.warn(
          { topic, partition, offset: item.message.offset, attempt, error: errorText(error) },
          'deferred work failed transiently; handing the message over again',
        );
        await this.pause(backoffMs(this.retry, attempt));
        if (!this.running) throw error;
        current = again();
      }
    }
  }

  /** Holds the partition while this process already runs its maximum of unfinished messages; heartbeats meanwhile. */
  private async untilCapacity(isActive: () => boolean, payload: EachBatchPayload): Promise<void> {
    const max = this.options.maxInFlight ?? Number.POSITIVE_INFINITY;
    while (this.unfinished.size >= max && isActive()) {
      await Promise.race([new Promise<void>((wake) => this.capacityWaiters.push(wake)), this.pause(1_000)]);
      await payload.heartbeat().catch(() => undefined);
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const { groupId, log } = this.options;
    const target = this.namespace.physical(dlqTopic(topic, groupId));
    // The DLQ record names the real (prefixed) topic and group, so an operator can find and replay it.
    const source = {
      topic: this.namespace.physical(topic),
      partition,
      message,
      group: this.namespace.physical(groupId),
      attempts,
      error,
    };
    await this.producer!.send({ topic: target, messages: [deadLetterMessage(source)] });
    log.error(
      { groupId, topic, partition, offset: message.offset, dlq: target, attempts, error: errorText(error) },
      'message sent to DLQ',
    );
  }

  /** Waits `ms`, or less if the server closes meanwhile (or has closed). */
  private pause(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** Stops taking work, lets deferred work finish (bounded), commits what finished, and leaves the group. */
  async close(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const grace = this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, grace)));
    await Promise.race([Promise.allSettled([...this.unfinished]), deadline]);
    clearTimeout(timer);
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

/** Where a topic's batches go: its handler, through the coalescer that joins a fetch's partitions. */
interface TopicRoute {
  readonly handler: MessageHandler;
  readonly coalescer: BatchCoalescer<ConsumedMessage>;
}

/** One listener per backoff under way: a deferred message each, so many at once during an outage. */
function stopSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A consumer crash that time can heal: the brokers unreachable or busy, not a bad configuration or a refusal. */
function canHeal(error: Error): boolean {
  if (isTransientFault(error)) return true;
  return (
    error.name.startsWith('KafkaJS') &&
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|Connection (error|timeout|closed)|not available|No brokers/i.test(
      error.message,
    )
  );
}

function defaultCrash(error: Error): void {
  process.stderr.write(`kafka consumer stopped: ${error.message}\n`);
  process.exit(1);
}
