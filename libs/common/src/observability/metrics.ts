import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

// Process CPU, memory, event-loop lag and GC, next to the scheduler's own series.
collectDefaultMetrics();

/** Shared metrics (ADR-0010); every app exposes the default registry at GET /metrics. */
export const messagesConsumed = new Counter({
  name: 'scheduler_messages_consumed_total',
  help: 'Messages consumed, by outcome',
  labelNames: ['group', 'topic', 'outcome'],
});

export const consumerLag = new Gauge({
  name: 'scheduler_consumer_lag',
  help: 'Records between the last processed offset and the partition high watermark',
  labelNames: ['group', 'topic', 'partition'],
});

export const outboxPublished = new Counter({
  name: 'scheduler_outbox_published_total',
  help: 'Outbox rows published to the broker',
  labelNames: ['outbox', 'topic'],
});

export const outboxPolls = new Counter({
  name: 'scheduler_outbox_polls_total',
  help: 'Outbox polls by what they found: rows to publish, only rows held back behind an open transaction, or nothing',
  labelNames: ['outbox', 'outcome'],
});

export const executions = new Counter({
  name: 'scheduler_executions_total',
  help: 'HTTP executions, by outcome',
  labelNames: ['outcome'],
});

export const executionLatency = new Histogram({
  name: 'scheduler_execution_latency_seconds',
  help: 'Target HTTP call latency',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const metricsRegistry = register;

export const consumerRetries = new Counter({
  name: 'scheduler_consumer_retries_total',
  help: 'Batches or messages tried again, by kind (transient: a dependency was away; handler: the handler failed)',
  labelNames: ['group', 'topic', 'kind'],
});

export const consumerBatchSize = new Histogram({
  name: 'scheduler_consumer_batch_size',
  help: 'Messages handed to a handler at once',
  labelNames: ['group'],
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
});

export const inFlightMessages = new Gauge({
  name: 'scheduler_in_flight_messages',
  help: 'Messages accepted by a handler whose work has not finished (executor calls running)',
  labelNames: ['group'],
});

/** Seconds, from a millisecond to half a minute: a message's way through one outbox or one hop. */
const HOP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Clocks: the envelope's timestamp is the writer's clock (the database's for scheduler-core's
 * events), the observation the publisher's or consumer's; across hosts their skew is included.
 */
export const outboxPublishDelay = new Histogram({
  name: 'scheduler_outbox_publish_delay_seconds',
  help: "From a message's envelope timestamp (taken in the transaction that wrote it to the outbox) to the broker's acknowledgment of it",
  labelNames: ['outbox'],
  buckets: HOP_BUCKETS,
});

export const messageAge = new Histogram({
  name: 'scheduler_message_age_seconds',
  help: "How old a consumed message was when its handler got it, from its envelope timestamp: its outbox, the broker and the consumer's own queue",
  labelNames: ['group', 'topic'],
  buckets: HOP_BUCKETS,
});

export const outboxSetAside = new Counter({
  name: 'scheduler_outbox_set_aside_total',
  help: 'Outbox rows the broker can never take (e.g. larger than its maximum message size), set aside with their error',
  labelNames: ['outbox', 'topic'],
});

export const inFlightLimit = new Gauge({
  name: 'scheduler_in_flight_limit',
  help: 'Most messages a handler may have unfinished at once (EXECUTOR_MAX_IN_FLIGHT); saturation = in-flight / limit',
  labelNames: ['group'],
});

/** Every HTTP answer of every app; `route` is the matched route template, never the raw URL (bounded cardinality). */
export const httpRequestDuration = new Histogram({
  name: 'http_server_request_duration_seconds',
  help: 'HTTP requests served, from arrival to the last byte of the answer, by method, route template ("unmatched" when no route took it) and status code',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const outboxBacklog = new Gauge({
  name: 'scheduler_outbox_backlog_rows',
  help: 'Outbox rows not yet published (set-aside rows excluded), refreshed periodically',
  labelNames: ['outbox'],
});

export const outboxOldestUnpublishedAge = new Gauge({
  name: 'scheduler_outbox_oldest_unpublished_age_seconds',
  help: 'Age of the oldest unpublished outbox row (0 when the outbox is drained), refreshed periodically',
  labelNames: ['outbox'],
});

/** Observed once per call when the projector first sees it Succeeded or Failed. */
export const callCompletionLatency = new Histogram({
  name: 'scheduler_call_completion_seconds',
  help: 'From when a call was due (its creation, or its dueAt when later) until it finished, by outcome (Succeeded, Failed)',
  labelNames: ['outcome'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
});

/**
 * Calls that reached a terminal status, per tenant. The tenant label is bounded by the tenants in
 * GATEWAY_API_KEYS; never add a label whose values a client chooses (ids, URLs, tags).
 */
export const callsFinished = new Counter({
  name: 'scheduler_calls_finished_total',
  help: 'Calls that reached a terminal status, by tenant and outcome (Succeeded, Failed, Cancelled)',
  labelNames: ['tenant', 'outcome'],
});

export const timerLateness = new Histogram({
  name: 'scheduler_timer_lateness_seconds',
  help: 'How long after its hand-over time (dueAt minus SCHEDULER_TIMER_LEAD_MS) a timer fired (DueTimeReached written to the outbox)',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});

export const callStartLateness = new Histogram({
  name: 'scheduler_call_start_lateness_seconds',
  help: "How long after its dueAt a scheduled call's request left the executor",
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});

export const appReady = new Gauge({
  name: 'scheduler_ready',
  help: '1 when every readiness check of this process passes (as /health/ready answers), else 0; evaluated at each scrape',
});

export const commandBatches = new Counter({
  name: 'scheduler_command_batches_total',
  help: "Command batches scheduler-core decided, by how it got their streams: cache (no read), database (read first), again (decided from the cache, refused by the append as a duplicate or a rival's stream, then read)",
  labelNames: ['read'],
});
