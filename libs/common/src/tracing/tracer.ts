import { trace, Tracer } from '@opentelemetry/api';

let enabled = false;

/** True once startTracing installed an exporter; span code checks it first, so tracing off costs nothing. */
export const tracingEnabled = (): boolean => enabled;

export function markTracingEnabled(): void {
  enabled = true;
}

export const tracer = (): Tracer => trace.getTracer('service-call-scheduler');
