import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ApiClient } from '../../test/support/api-client';
import { RecordingTarget } from '../../test/support/recording-target';
import { startRunningSystem, TEST_API_KEY } from '../../test/support/running-system';
import { startTestInfrastructure } from '../../test/support/test-infrastructure';
import { projectRoot } from '../infra/project-root';
import { summarize } from './percentiles';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const RATE_PER_SECOND = Number(process.env.BENCH_RATE ?? 50);
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

/**
 * Submit → Succeeded latency through the running stack: CALLS immediate calls at RATE_PER_SECOND
 * against a loopback target, measured when the target receives the call and when the read model
 * first shows Succeeded. Everything runs on this machine and stops by itself.
 */
async function main(): Promise<void> {
  const infra = await startTestInfrastructure(() => undefined);
  const target = new RecordingTarget(() => ({ status: 200, body: 'ok' }));
  const targetUrl = await target.start();
  const system = await startRunningSystem('bench', { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', KAFKA_PARTITIONS: process.env.KAFKA_PARTITIONS ?? '6' });
  const api = new ApiClient(system.baseUrl, TEST_API_KEY);
  const db = new Client({ connectionString: system.databaseUrl });
  await db.connect();
  try {
    say(`${CALLS} calls at ${RATE_PER_SECOND}/s; partitions ${system.env.KAFKA_PARTITIONS}; one process per app`);
    await warmUp(api, targetUrl);
    const sentAt = new Map<string, number>();
    const seenSucceeded = new Map<string, number>();
    const watcher = watchReadModel(db, seenSucceeded);
    const interval = 1000 / RATE_PER_SECOND;
    const started = Date.now();
    const submissions: Promise<void>[] = [];
    for (let i = 0; i < CALLS; i++) {
      const due = started + i * interval;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      submissions.push((async () => {
        const t0 = Date.now();
        const res = await api.submit({ target: { method: 'POST', url: `${targetUrl}/bench`, body: { i } } });
        if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
        sentAt.set(res.body.data.id, t0);
      })());
    }
    await Promise.all(submissions);
    const deadline = Date.now() + 60_000;
    const done = () => [...sentAt.keys()].filter((id) => seenSucceeded.has(id)).length;
    while (done() < CALLS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    watcher.stop();
    const received = target.requestsTo('/bench').filter((r) => sentAt.has(String(r.headers['idempotency-key'])));
    const atTarget = summarize(received.map((r) => r.receivedAt - sentAt.get(String(r.headers['idempotency-key']))!));
    const inReadModel = summarize([...seenSucceeded].filter(([id]) => sentAt.has(id)).map(([id, t]) => t - sentAt.get(id)!));
    const result = { calls: CALLS, ratePerSecond: RATE_PER_SECOND, partitions: Number(system.env.KAFKA_PARTITIONS), logLevel: system.env.LOG_LEVEL, atTargetMs: atTarget, inReadModelMs: inReadModel, duplicates: received.length - new Set(received.map((r) => r.headers['idempotency-key'])).size };
    say(`submit → received at target (ms): p50 ${atTarget.p50}, p99 ${atTarget.p99}, max ${atTarget.max} (n=${atTarget.count})`);
    say(`submit → Succeeded in read model (ms): p50 ${inReadModel.p50}, p99 ${inReadModel.p99}, max ${inReadModel.max} (n=${inReadModel.count})`);
    say(`duplicate deliveries at target: ${result.duplicates}`);
    writeFileSync(join(projectRoot(), 'test-output', 'bench-submit-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (inReadModel.count < CALLS) throw new Error(`only ${inReadModel.count} of ${CALLS} calls reached Succeeded`);
  } finally {
    await db.end();
    await system.stop();
    await target.stop();
    for (const s of infra) await s.stop();
  }
}

async function warmUp(api: ApiClient, targetUrl: string): Promise<void> {
  const res = await api.submit({ target: { method: 'POST', url: `${targetUrl}/warm-up` } }, { idempotencyKey: randomUUID() });
  await api.waitForStatus(res.body.data.id, ['Succeeded'], 30_000);
}

/** Records when each call is first seen as Succeeded in the projector's read model (10 ms resolution). */
function watchReadModel(db: Client, seen: Map<string, number>): { stop(): void } {
  let running = true;
  void (async () => {
    while (running) {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM projector.service_calls WHERE status = 'Succeeded'`);
      const now = Date.now();
      for (const { id } of rows) if (!seen.has(id)) seen.set(id, now);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return { stop: () => { running = false; } };
}

main().catch((error) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
