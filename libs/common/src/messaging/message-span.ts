import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { KafkaMessage } from './kafkajs';
import { Envelope } from '../contracts/envelope';
import { contextFromTraceHeaders, traceContexts, traceHeadersOf, tracer, tracingEnabled } from '../tracing';
import { headerText } from './envelope-codec';

export interface MessageSpan {
  /** Ends the span (with the error, if any) and forgets the message's trace context. */
  end(error?: unknown): void;
}

export interface MessageSpanSource {
  readonly envelope: Envelope;
  readonly raw: KafkaMessage;
  readonly physicalTopic: string;
  readonly partition: number;
  readonly group: string;
}

/**
 * A CONSUMER span `process <type>` for one record, child of the span its `traceparent` header names.
 * While it is open, messages the handler writes with this message as their cause carry it on (the
 * trace-context registry). Undefined while tracing is off.
 */
export function startMessageSpan({
  envelope,
  raw,
  physicalTopic,
  partition,
  group,
}: MessageSpanSource): MessageSpan | undefined {
  if (!tracingEnabled()) return undefined;
  const parent = contextFromTraceHeaders(headerText(raw.headers, 'traceparent'), headerText(raw.headers, 'tracestate'));
  const span = tracer().startSpan(
    `process ${envelope.type}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': physicalTopic,
        'messaging.destination.partition.id': String(partition),
        'messaging.consumer.group.name': group,
        'messaging.kafka.offset': Number(raw.offset),
        'messaging.message.id': envelope.messageId,
        'service_call.id': envelope.aggregateId,
        'tenant.id': envelope.tenantId,
      },
    },
    parent,
  );
  const { traceparent } = traceHeadersOf(span);
  const scope = traceparent ? traceContexts.open(envelope.messageId, traceparent) : undefined;
  return {
    end: (error) => {
      if (scope) traceContexts.close(scope);
      if (error !== undefined)
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : JSON.stringify(error),
        });
      span.end();
    },
  };
}
