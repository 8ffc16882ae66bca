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

export const outboxSetAside = new Counter({
  name: 'scheduler_outbox_set_aside_total',
  help: 'Outbox rows the broker can never take (e.g. larger than its maximum message size), set aside with their error',
  labelNames: ['outbox', 'topic'],
});
