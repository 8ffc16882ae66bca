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
