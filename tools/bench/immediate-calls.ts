import { Client } from 'pg';
import { acceptedId, ApiClient } from '../../test/support/api-client';
import { RecordingTarget } from '../../test/support/recording-target';
import { summarize, Summary } from './percentiles';

export interface ImmediateCallsResult {
  readonly atTargetMs: Summary;
  readonly inReadModelMs: Summary;
  readonly duplicates: number;
}

/** Submits `calls` immediate calls at `rate`/s; latency from just before each POST to the target and to the read model. */
export async function measureImmediateCalls(api: ApiClient, target: RecordingTarget, targetUrl: string, db: Client, calls: number, rate: number): Promise<ImmediateCallsResult> {
  const sentAt = new Map<string, number>();
  const seenSucceeded = new Map<string, number>();
  const watcher = watchReadModel(db, seenSucceeded);
  const started = Date.now();
  const submissions: Promise<void>[] = [];
  for (let i = 0; i < calls; i++) {
    await sleepUntil(started + (i * 1000) / rate);
    submissions.push((async () => {
      const t0 = Date.now();
      const res = await api.submit({ target: { method: 'POST', url: `${targetUrl}/now`, body: { i } } });
      if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
      sentAt.set(acceptedId(res), t0);
    })());
  }
  await Promise.all(submissions);
  const done = () => [...sentAt.keys()].filter((id) => seenSucceeded.has(id)).length;
  const deadline = Date.now() + 60_000;
  while (done() < calls && Date.now() < deadline) await sleep(50);
  watcher.stop();
  if (done() < calls) throw new Error(`only ${done()} of ${calls} immediate calls reached Succeeded`);
  const received = target.requestsTo('/now').filter((r) => sentAt.has(String(r.headers['idempotency-key'])));
  return {
    atTargetMs: summarize(received.map((r) => r.receivedAt - sentAt.get(String(r.headers['idempotency-key']))!)),
    inReadModelMs: summarize([...sentAt].map(([id, t0]) => seenSucceeded.get(id)! - t0)),
    duplicates: received.length - new Set(received.map((r) => r.headers['idempotency-key'])).size,
  };
}

/** Records when each call is first seen as Succeeded in the projector's read model (10 ms resolution). */
function watchReadModel(db: Client, seen: Map<string, number>): { stop(): void } {
  let running = true;
  void (async () => {
    while (running) {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM projector.service_calls WHERE status = 'Succeeded'`);
      const now = Date.now();
      for (const { id } of rows) if (!seen.has(id)) seen.set(id, now);
      await sleep(10);
    }
  })();
  return { stop: () => { running = false; } };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));
