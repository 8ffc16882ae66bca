import { ExecuteServiceCall, ExecutionResult, TargetRequest } from '@app/common/contracts';
import { contextFromTraceHeaders, traceContexts, tracer, tracingEnabled } from '@app/common/tracing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';

/**
 * A CLIENT span around the call to the tenant's target, child of the span of the message that asked
 * for it. It names the method, host and port only: the path and query may hold the tenant's secrets.
 * No trace header is added to the tenant's request: what the executor sends is what the tenant asked for.
 */
export async function inCallSpan(
  message: ExecuteServiceCall,
  target: TargetRequest,
  call: () => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  if (!tracingEnabled()) return call();
  const span = tracer().startSpan(
    target.method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': target.method,
        ...serverOf(target.url),
        'service_call.id': message.payload.serviceCallId,
        'tenant.id': message.tenantId,
      },
    },
    contextFromTraceHeaders(traceContexts.traceparentOf(message.messageId)),
  );
  try {
    const result = await call();
    if (result.statusCode !== null) span.setAttribute('http.response.status_code', result.statusCode);
    if (result.error)
      span
        .setStatus({ code: SpanStatusCode.ERROR, message: result.error.code })
        .setAttribute('error.type', result.error.code);
    return result;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

function serverOf(url: string): Record<string, string | number> {
  try {
    const parsed = new URL(url);
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    return { 'server.address': parsed.hostname, 'server.port': port };
  } catch {
    return {};
  }
}
