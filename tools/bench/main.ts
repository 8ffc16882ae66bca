import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { acceptedId, ApiClient } from '../../test/support/api-client';
import { RecordingTarget } from '../../test/support/recording-target';
import { startRunningSystem, TEST_API_KEY } from '../../test/support/running-system';
import { startTestInfrastructure } from '../../test/support/test-infrastructure';
import { projectRoot } from '../infra/project-root';
import { measureImmediateCalls } from './immediate-calls';
import { Summary } from './percentiles';
import { measureScheduledCalls } from './scheduled-calls';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SCHEDULED_CALLS = Number(process.env.BENCH_SCHEDULED_CALLS ?? 100);
const SCHEDULED_SPREAD_MS = Number(process.env.BENCH_SCHEDULED_SPREAD_MS ?? 5_000);
const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const show = (s: Summary) => `p50 ${s.p50}, p99 ${s.p99}, max ${s.max} (n=${s.count})`;

/**
 * Latency through the running stack, all on this machine, stopping by itself:
 * immediate calls (submit → target, submit → Succeeded in the read model) and
 * scheduled calls (how late after dueAt each reaches its target).
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
    say(`partitions ${system.env.KAFKA_PARTITIONS}, LOG_LEVEL ${system.env.LOG_LEVEL}, one process per app`);
    const warmUp = await api.submit({ target: { method: 'POST', url: `${targetUrl}/warm-up` } }, { idempotencyKey: randomUUID() });
    await api.waitForStatus(acceptedId(warmUp), ['Succeeded'], 30_000);

    say(`${CALLS} immediate calls at ${RATE}/s`);
    const immediate = await measureImmediateCalls(api, target, targetUrl, db, CALLS, RATE);
    say(`submit → received at target (ms): ${show(immediate.atTargetMs)}`);
    say(`submit → Succeeded in read model (ms): ${show(immediate.inReadModelMs)}`);

    say(`${SCHEDULED_CALLS} calls due over ${SCHEDULED_SPREAD_MS} ms`);
    const scheduled = await measureScheduledCalls(api, target, targetUrl, SCHEDULED_CALLS, SCHEDULED_SPREAD_MS);
    say(`dueAt → received at target (ms): ${show(scheduled.latenessMs)}; early: ${scheduled.early}`);
    say(`duplicate deliveries at target: ${immediate.duplicates + scheduled.duplicates}`);

    const settings = { calls: CALLS, ratePerSecond: RATE, scheduledCalls: SCHEDULED_CALLS, scheduledSpreadMs: SCHEDULED_SPREAD_MS, partitions: Number(system.env.KAFKA_PARTITIONS), logLevel: system.env.LOG_LEVEL };
    writeFileSync(join(projectRoot(), 'test-output', 'bench-latency.json'), `${JSON.stringify({ settings, immediate, scheduled }, null, 2)}\n`);
    if (immediate.duplicates + scheduled.duplicates > 0 || scheduled.early > 0) throw new Error('duplicate or early deliveries');
  } finally {
    await db.end();
    await system.stop();
    await target.stop();
    for (const s of infra) await s.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
