import { CallViewFacts, completionSeconds, recordCallFinished } from './call-finished-metrics';
import { callCompletionLatency, callsFinished } from './metrics';

const view = (over: Partial<CallViewFacts>): CallViewFacts => ({
  tenantId: 'tenant-a',
  status: 'Running',
  createdAt: '2026-11-25T10:00:00.000Z',
  dueAt: null,
  finishedAt: null,
  ...over,
});
const finishedCount = async (tenant: string, outcome: string) =>
  (await callsFinished.get()).values.find((v) => v.labels.tenant === tenant && v.labels.outcome === outcome)?.value ?? 0;
const latencyCount = async (outcome: string) =>
  (await callCompletionLatency.get()).values.find(
    (v) => v.metricName === 'scheduler_call_completion_seconds_count' && v.labels.outcome === outcome,
  )?.value ?? 0;

describe('recordCallFinished', () => {
  beforeEach(() => {
    callsFinished.reset();
    callCompletionLatency.reset();
  });

  it('counts a call once, on the move into Succeeded, and observes its latency', async () => {
    const running = view({ status: 'Running' });
    const succeeded = view({ status: 'Succeeded', finishedAt: '2026-11-25T10:00:01.500Z' });
    expect(recordCallFinished(running, succeeded)).toBe(true);
    expect(recordCallFinished(succeeded, succeeded)).toBe(false);
    expect(await finishedCount('tenant-a', 'Succeeded')).toBe(1);
    expect(await latencyCount('Succeeded')).toBe(1);
    const sum = (await callCompletionLatency.get()).values.find(
      (v) => v.metricName === 'scheduler_call_completion_seconds_sum',
    );
    expect(sum?.value).toBeCloseTo(1.5);
  });

  it('counts a call first seen already Failed (no earlier view) per tenant', async () => {
    expect(
      recordCallFinished(null, view({ tenantId: 'tenant-b', status: 'Failed', finishedAt: '2026-11-25T10:00:02.000Z' })),
    ).toBe(true);
    expect(await finishedCount('tenant-b', 'Failed')).toBe(1);
    expect(await finishedCount('tenant-a', 'Failed')).toBe(0);
  });

  it('counts a cancellation without a latency, and ignores non-terminal moves', async () => {
    expect(recordCallFinished(view({ status: 'Scheduled' }), view({ status: 'Cancelled' }))).toBe(true);
    expect(recordCallFinished(view({ status: 'Accepted' }), view({ status: 'Running' }))).toBe(false);
    expect(await finishedCount('tenant-a', 'Cancelled')).toBe(1);
    expect(await latencyCount('Cancelled')).toBe(0);
  });
});

describe('completionSeconds', () => {
  it('measures a call due now from its creation', () => {
    expect(completionSeconds(view({ finishedAt: '2026-11-25T10:00:00.250Z' }))).toBeCloseTo(0.25);
  });

  it('measures a scheduled call from its dueAt, not from its creation', () => {
    expect(
      completionSeconds(view({ dueAt: '2026-11-25T11:00:00.000Z', finishedAt: '2026-11-25T11:00:00.400Z' })),
    ).toBeCloseTo(0.4);
  });

  it('has no figure for a call that has not finished', () => {
    expect(completionSeconds(view({ finishedAt: null }))).toBeNull();
  });
});
