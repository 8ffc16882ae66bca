import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigurationError } from '../config/configuration-error';
import { markTracingEnabled } from './tracer';

export interface Tracing {
  /** Exports the spans still queued and stops; call it last at shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: async () => undefined };

/**
 * Call first in an app's main. Without OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) nothing is
 * installed: the API's no-op tracer stays and no span is even started. With it, spans are batched
 * (OTEL_BSP_* apply) and sent as OTLP/HTTP JSON. Contexts are passed explicitly (Kafka headers,
 * the outbox, the trace-context registry), so no context manager or auto-instrumentation is needed.
 */
export function startTracing(appName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED === 'true') return OFF;
  assertJsonProtocol(env);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || appName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  trace.setGlobalTracerProvider(provider);
  markTracingEnabled();
  return { shutdown: () => provider.shutdown().catch(() => undefined) };
}

/** Only the JSON encoding ships (no protobuf dependency); a collector asked for another would get nothing. */
function assertJsonProtocol(env: NodeJS.ProcessEnv): void {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[name];
    if (!value) continue;
    if (value !== 'http/json')
      throw new ConfigurationError(name, `must be http/json (traces are sent as OTLP over HTTP with JSON), got "${value}"`);
    return;
  }
}
