import { Context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, Span, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const w3c = new W3CTraceContextPropagator();

/** The W3C `traceparent` (and `tracestate`, when there is one) naming `span` as the parent. */
export function traceHeadersOf(span: Span): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier;
}

/** A context whose remote parent is the given `traceparent`; the root context when it is absent or malformed. */
export function contextFromTraceHeaders(traceparent: string | undefined, tracestate?: string): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier = tracestate ? { traceparent, tracestate } : { traceparent };
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}
