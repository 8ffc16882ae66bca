import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { contextFromTraceHeaders, traceHeadersOf } from './traceparent';

describe('traceparent', () => {
  const spanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
  };

  it('names a span as the W3C traceparent version 00', () => {
    expect(traceHeadersOf(trace.wrapSpanContext(spanContext))).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('keeps an unsampled decision, so the spans downstream are not sampled either', () => {
    expect(traceHeadersOf(trace.wrapSpanContext({ ...spanContext, traceFlags: TraceFlags.NONE })).traceparent).toMatch(
      /-00$/,
    );
  });

  it('reads a traceparent (and tracestate) back as the remote parent of the next span', () => {
    const context = contextFromTraceHeaders('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'vendor=abc');
    expect(trace.getSpanContext(context)).toMatchObject({ ...spanContext, isRemote: true });
    expect(trace.getSpanContext(context)?.traceState?.get('vendor')).toBe('abc');
    expect(traceHeadersOf(trace.wrapSpanContext(trace.getSpanContext(context)!))).toEqual({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=abc',
    });
  });

  it.each([
    ['absent', undefined],
    ['malformed', 'not-a-traceparent'],
    ['an all-zero trace id', '00-00000000000000000000000000000000-b7ad6b7169203331-01'],
  ])('starts a new trace when the traceparent is %s', (_name, header) => {
    const context = contextFromTraceHeaders(header);
    expect(context).toBe(ROOT_CONTEXT);
    expect(trace.getSpanContext(context)).toBeUndefined();
  });
});
