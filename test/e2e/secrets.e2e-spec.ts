import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ALL_TOPICS } from '@app/common/contracts';
import { keyIdOf } from '@app/common/secrets';
import { projectRoot } from '../../tools/infra/project-root';
import { ApiClient } from '../support/api-client';
import { RecordingTarget } from '../support/recording-target';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';
import { testBrokers } from '../support/test-database';
import { topicMessages } from '../support/topic-messages';

const APP_SCHEMAS = ['gateway', 'scheduler_core', 'executor', 'projector'];

/** A query from docs/runbook.md, so the runbook's drain check is the one that is tested. */
function runbookQuery(containing: string): string {
  const blocks = [...readFileSync(join(projectRoot(), 'docs', 'runbook.md'), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map(
    (m) => m[1],
  );
  const block = blocks.find((b) => b.includes(containing));
  if (!block) throw new Error(`docs/runbook.md has no SQL block containing ${containing}`);
  return block.replace(/:'old_key_id'/g, '$1');
}

/**
 * Secrets across the four apps as separate processes: credentials in URL paths are redacted in
 * everything stored, published or logged while the executor calls the real path; and a key rotation
 * (gateway on key A, executor on B with A as a previous key) keeps pending calls running.
 */
describe('secrets: path credentials and key rotation (e2e)', () => {
  const keyA = randomBytes(32).toString('base64');
  const keyB = randomBytes(32).toString('base64');
  const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));
  let system: RunningSystem;
  let api: ApiClient;
  let target: RecordingTarget;
  let targetUrl: string;
  let db: Client;

  beforeAll(async () => {
    target = new RecordingTarget(() => ({ status: 200, body: 'ok' }));
    targetUrl = await target.start();
    system = await startRunningSystem('e2e-secrets', { SECRETS_ENCRYPTION_KEY: keyA });
    api = new ApiClient(system.baseUrl, TEST_API_KEY);
    db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await system?.stop();
    await target?.stop();
  });

  async function rowsContaining(text: string): Promise<string[]> {
    const { rows: tables } = await db.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`,
      [APP_SCHEMAS],
    );
    const found: string[] = [];
    for (const { name } of tables) {
      const { rows } = await db.query(`SELECT 1 FROM ${name} t WHERE t::text LIKE '%' || $1 || '%' LIMIT 1`, [text]);
      if (rows.length > 0) found.push(name);
    }
    return found;
  }

  it('calls the real path but keeps path credentials out of the read model, every table, every topic and the logs', async () => {
    const hookId = 'k9xuqwrwgstrb3mzrxb83nb357';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZW5hbnQtYSJ9.c2lnbmF0dXJlLXNlY3JldC03Nw';
    const submitted = await api.submit({
      target: { method: 'POST', url: `${targetUrl}/hooks/${hookId}/orders/123/confirm/${jwt}?x=1`, body: 'hi' },
    });
    expect(submitted.status).toBe(202);

    const call = await api.waitForStatus(submitted.body.data.id, ['Succeeded', 'Failed']);
    expect(call).toMatchObject({
      status: 'Succeeded',
      target: { url: `${targetUrl}/hooks/[REDACTED]/orders/123/confirm/[REDACTED]?x=1` },
    });
    expect(target.requestsTo(`/hooks/${hookId}/orders/123/confirm/${jwt}?x=1`)).toHaveLength(1);

    const messages = await topicMessages(
      testBrokers(),
      ALL_TOPICS.map((t) => `${system.topicPrefix}${t}`),
    );
    expect(messages.some((m) => m.includes('/hooks/[REDACTED]/orders/123/confirm/[REDACTED]'))).toBe(true);
    const logs = readFileSync(system.logFile, 'utf8');
    for (const secret of [hookId, jwt]) {
      expect({ secret, tables: await rowsContaining(secret) }).toEqual({ secret, tables: [] });
      expect(messages.filter((m) => m.includes(secret))).toEqual([]);
      expect(logs).not.toContain(secret);
    }
    expect(await rowsContaining('/hooks/[REDACTED]/orders/123/confirm/[REDACTED]')).toEqual(
      expect.arrayContaining(['gateway.idempotency_keys', 'scheduler_core.events', 'projector.service_calls']),
    );
  });

  it('keeps a call sealed with the old key running after the executor moves to the new key, and seals new calls with the new key', async () => {
    const openWithOldKey = runbookQuery('FROM scheduler_core.events s');
    await system.kill('executor');
    const before = await api.submit({
      target: { method: 'PUT', url: `${targetUrl}/rotation/before`, headers: { authorization: 'Bearer before' } },
    });
    expect(before.status).toBe(202);
    const pending = async () => (await db.query(openWithOldKey, [idOf(keyA)])).rows.map((r) => r.service_call_id);
    const waitUntilPending = Date.now() + 15_000;
    while (!(await pending()).includes(before.body.data.id) && Date.now() < waitUntilPending)
      await new Promise((r) => setTimeout(r, 100));
    expect(await pending()).toContain(before.body.data.id);

    await system.restart('executor', { SECRETS_ENCRYPTION_KEY: keyB, SECRETS_DECRYPTION_KEYS: keyA });
    await system.kill('gateway');
    await system.restart('gateway', { SECRETS_ENCRYPTION_KEY: keyB });
    const after = await api.submit({ target: { method: 'PUT', url: `${targetUrl}/rotation/after` } });

    // A killed consumer's partitions move once its session times out (20 s), hence the longer waits.
    expect(await api.waitForStatus(before.body.data.id, ['Succeeded', 'Failed'], 60_000)).toMatchObject({
      status: 'Succeeded',
      result: { statusCode: 200 },
    });
    expect(await api.waitForStatus(after.body.data.id, ['Succeeded', 'Failed'], 60_000)).toMatchObject({
      status: 'Succeeded',
      result: { statusCode: 200 },
    });
    expect(target.requestsTo('/rotation/before')).toHaveLength(1);
    expect(target.requestsTo('/rotation/before')[0].headers.authorization).toBe('Bearer before');
    expect(target.requestsTo('/rotation/after')).toHaveLength(1);

    const { rows } = await db.query<{ id: string; key_id: string }>(
      `SELECT stream_id AS id, data -> 'sealedTarget' ->> 'keyId' AS key_id FROM scheduler_core.events WHERE type = 'ServiceCallSubmitted' AND stream_id = ANY($1)`,
      [[before.body.data.id, after.body.data.id]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.key_id]))).toEqual({
      [before.body.data.id]: idOf(keyA),
      [after.body.data.id]: idOf(keyB),
    });
    // The runbook's checks now find nothing left for the old key: it may be dropped.
    expect(await pending()).toEqual([]);
    expect((await db.query(runbookQuery('FROM gateway.outbox'), [idOf(keyA)])).rows).toEqual([{ waiting: '0' }]);
    const logs = readFileSync(system.logFile, 'utf8');
    expect(logs).toContain(`"openingKeyIds":["${idOf(keyB)}","${idOf(keyA)}"]`);
    expect(logs).toContain(`"sealingKeyId":"${idOf(keyB)}"`);
  }, 120_000);

  it('fails a call sealed with a key the executor no longer has as INVALID_TARGET, without calling the target', async () => {
    await system.kill('executor');
    const orphan = await api.submit({ target: { method: 'GET', url: `${targetUrl}/rotation/dropped-too-early` } });
    expect(orphan.status).toBe(202);
    await system.restart('executor', { SECRETS_ENCRYPTION_KEY: keyA });

    const call = await api.waitForStatus(orphan.body.data.id, ['Succeeded', 'Failed'], 60_000);
    expect(call).toMatchObject({
      status: 'Failed',
      attempts: 1,
      result: { statusCode: null, error: { code: 'INVALID_TARGET' } },
    });
    expect(target.requestsTo('/rotation/dropped-too-early')).toHaveLength(0);
  }, 120_000);
});
