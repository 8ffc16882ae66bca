import { acceptedId, ApiClient } from '../../test/support/api-client';
import { RecordingTarget } from '../../test/support/recording-target';
import { sleep, sleepUntil } from './immediate-calls';
import { summarize, Summary } from './percentiles';

export interface ScheduledCallsResult {
  /** Target receive time minus dueAt; negative would mean early. */
  readonly latenessMs: Summary;
  readonly early: number;
  readonly duplicates: number;
}

/** Submits `calls` calls due spread over [now+3 s, now+3 s+spreadMs] and measures how late each reaches its target. */
export async function measureScheduledCalls(api: ApiClient, target: RecordingTarget, targetUrl: string, calls: number, spreadMs: number): Promise<ScheduledCallsResult> {
  const dueAt = new Map<string, number>();
  const base = Date.now() + 3_000;
  for (let i = 0; i < calls; i++) {
    const due = base + Math.floor((i * spreadMs) / calls);
    const res = await api.submit({ target: { method: 'POST', url: `${targetUrl}/scheduled` }, dueAt: new Date(due).toISOString() });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
    dueAt.set(acceptedId(res), due);
  }
  await sleepUntil(base + spreadMs);
  const deadline = Date.now() + 30_000;
  const arrived = () => target.requestsTo('/scheduled').filter((r) => dueAt.has(String(r.headers['idempotency-key'])));
  while (new Set(arrived().map((r) => r.headers['idempotency-key'])).size < calls && Date.now() < deadline) await sleep(50);
  const received = arrived();
  const lateness = received.map((r) => r.receivedAt - dueAt.get(String(r.headers['idempotency-key']))!);
  if (new Set(received.map((r) => r.headers['idempotency-key'])).size < calls) throw new Error(`only some of ${calls} scheduled calls arrived`);
  return {
    latenessMs: summarize(lateness),
    early: lateness.filter((ms) => ms < 0).length,
    duplicates: received.length - new Set(received.map((r) => r.headers['idempotency-key'])).size,
  };
}
