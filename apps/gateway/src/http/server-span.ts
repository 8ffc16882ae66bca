import { routeLabel } from '@app/common/observability';
import { contextFromTraceHeaders, traceContexts, traceHeadersOf, tracer, tracingEnabled } from '@app/common/tracing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from './request-context';

/** Probes and scrapes would each start a trace of their own: they get no span. */
const UNTRACED = /^\/(health|metrics)(\/|$)/;

/**
 * A SERVER span per API request, child of the client's `traceparent` when it sent one. While it is
 * open, the messages the request writes (their causationId is the request id) carry it on through the
 * outbox. Mounted right after traceHeaders; passes straight through while tracing is off.
 */
export function serverSpan(req: Request, res: Response, next: NextFunction): void {
  if (!tracingEnabled() || UNTRACED.test(req.path)) return next();
  const parent = contextFromTraceHeaders(single(req.headers.traceparent), single(req.headers.tracestate));
  const span = tracer().startSpan(
    req.method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol },
    },
    parent,
  );
  const { traceparent } = traceHeadersOf(span);
  const scope = traceparent ? traceContexts.open(requestIdOf(req), traceparent) : undefined;
  res.once('close', () => {
    const route = routeLabel(req);
    if (route !== 'unmatched') {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (scope) traceContexts.close(scope);
    span.end();
  });
  next();
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
