import { randomBytes, randomUUID } from 'node:crypto';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/eventually';
import { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { RecordingTarget } from '../support/recording-target';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';

/** The spans one call must leave, as `service kind name`; a scheduled call adds its own. */
const CALL_SPANS = [
  'gateway SERVER POST /v1/service-calls',
  'scheduler-core CONSUMER process SubmitServiceCall',
  'projector CONSUMER process ServiceCallSubmitted',
  'projector CONSUMER process ExecutionRequested',
  'executor CONSUMER process ExecuteServiceCall',
  'executor CLIENT POST',
  'scheduler-core CONSUMER process RecordExecutionResult',
  'projector CONSUMER process ServiceCallSucceeded',
];
const SCHEDULED_SPANS = [
  'projector CONSUMER process ServiceCallScheduled',
  'scheduler-core CONSUMER process DueTimeReached',
];

const label = (s: ReceivedSpan) => `${s.service} ${s.kind} ${s.name}`;

/**
 * Traces across the four apps as separate processes, exported over OTLP/HTTP JSON to a receiver in
 * this test: one call, immediate or scheduled, is one trace from the gateway's POST through
 * scheduler-core, the executor's call and the projector, the parent links forming one tree.
 */
describe('traces across the four apps (e2e)', () => {
  let receiver: OtlpReceiver;
  let target: RecordingTarget;
  let targetUrl: string;
  let system: RunningSystem;
  let api: ApiClient;

  beforeAll(async () => {
    receiver = new OtlpReceiver();
    const endpoint = await receiver.start();
    target = new RecordingTarget(() => ({ status: 200, body: 'traced' }));
    targetUrl = await target.start();
    system = await startRunningSystem('e2e-tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    api = new ApiClient(system.baseUrl, TEST_API_KEY);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
    await receiver?.stop();
  });

  /** The trace the call's spans are in, once it holds every expected span. */
  async function traceOfCall(id: string, expected: readonly string[]): Promise<ReceivedSpan[]> {
    const ofCall = () => receiver.spans.filter((s) => s.attributes['service_call.id'] === id);
    try {
      return await eventually(
        `the spans of call ${id}`,
        () => {
          const first = ofCall()[0];
          const trace = first ? receiver.spans.filter((s) => s.traceId === first.traceId) : [];
          const labels = trace.map(label);
          return first && expected.every((e) => labels.includes(e)) ? trace : undefined;
        },
        30_000,
      );
    } catch (error) {
      const byTrace = ofCall()
        .map((s) => `${s.traceId.slice(0, 8)}: ${label(s)}`)
        .join('; ');
      throw new Error(`${(error as Error).message}; the call's spans by trace: ${byTrace || 'none'}`, { cause: error });
    }
  }

  function expectOneTree(trace: readonly ReceivedSpan[], id: string, rootParent?: string): ReceivedSpan {
    // Every span that names the call is in this one trace.
    expect(new Set(receiver.spans.filter((s) => s.attributes['service_call.id'] === id).map((s) => s.traceId))).toEqual(
      new Set([trace[0].traceId]),
    );
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(['gateway', 'scheduler-core', 'executor', 'projector']));
    const ids = new Set(trace.map((s) => s.spanId));
    expect(ids.size).toBe(trace.length);
    const roots = trace.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    expect(roots.map(label)).toEqual(['gateway SERVER POST /v1/service-calls']);
    expect(roots[0].parentSpanId).toBe(rootParent);
    expect(roots[0].attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/service-calls',
      'http.response.status_code': 202,
    });
    return roots[0];
  }

  const find = (trace: readonly ReceivedSpan[], wanted: string) => {
    const span = trace.find((s) => label(s) === wanted);
    if (!span) throw new Error(`no span ${wanted} in ${trace.map(label).join(', ')}`);
    return span;
  };

  it('makes an immediate call one trace: gateway → scheduler-core → executor (its call to the target) → scheduler-core → projector', async () => {
    const submitted = await api.submit({ target: { method: 'POST', url: `${targetUrl}/now`, body: 'x' } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.data.id;
    await api.waitForStatus(id, ['Succeeded']);

    const trace = await traceOfCall(id, CALL_SPANS);
    const root = expectOneTree(trace, id);
    const submit = find(trace, 'scheduler-core CONSUMER process SubmitServiceCall');
    const execute = find(trace, 'executor CONSUMER process ExecuteServiceCall');
    const call = find(trace, 'executor CLIENT POST');
    expect(submit.parentSpanId).toBe(root.spanId);
    expect(execute.parentSpanId).toBe(submit.spanId);
    expect(call.parentSpanId).toBe(execute.spanId);
    expect(call.attributes).toMatchObject({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(find(trace, 'scheduler-core CONSUMER process RecordExecutionResult').parentSpanId).toBe(execute.spanId);
    // The tenant's request is sent as the tenant asked: no trace header is added to it.
    expect(target.requestsTo('/now')[0].headers.traceparent).toBeUndefined();
  });

  it("keeps a scheduled call in one trace across its timer, under the client's own traceparent", async () => {
    const clientTraceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const dueAt = new Date(Date.now() + 2_000).toISOString();
    const submitted = await api.request(
      'POST',
      '/v1/service-calls',
      { target: { method: 'POST', url: `${targetUrl}/later`, body: 'y' }, dueAt },
      {
        'Idempotency-Key': randomUUID(),
        traceparent: `00-${clientTraceId}-${clientSpanId}-01`,
      },
    );
    expect(submitted.status).toBe(202);
    const id = submitted.body.data.id;
    await api.waitForStatus(id, ['Succeeded']);

    const trace = await traceOfCall(id, [...CALL_SPANS, ...SCHEDULED_SPANS]);
    expect(trace[0].traceId).toBe(clientTraceId);
    const root = expectOneTree(trace, id, clientSpanId);
    const submit = find(trace, 'scheduler-core CONSUMER process SubmitServiceCall');
    const due = find(trace, 'scheduler-core CONSUMER process DueTimeReached');
    expect(submit.parentSpanId).toBe(root.spanId);
    // The timer row kept the context of the span that set it.
    expect(due.parentSpanId).toBe(submit.spanId);
    expect(find(trace, 'executor CONSUMER process ExecuteServiceCall').parentSpanId).toBe(due.spanId);
  });
});
