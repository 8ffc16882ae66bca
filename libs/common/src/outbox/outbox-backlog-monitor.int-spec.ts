import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/support/test-database';
import { outboxBacklog, outboxOldestUnpublishedAge } from '../observability/metrics';
import { OutboxBacklogMonitor } from './outbox-backlog-monitor';
import { addOutboxSetAsideSql, createOutboxTableSql } from './outbox-table';

const SCHEMA = 'backlog_probe';

describe('OutboxBacklogMonitor (real Postgres)', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource({ type: 'postgres', url: await createTestDatabase('outbox_backlog') }).initialize();
    await db.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const sql of [...createOutboxTableSql(SCHEMA), ...addOutboxSetAsideSql(SCHEMA)]) await db.query(sql);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  const gauge = async (metric: typeof outboxBacklog, outbox = SCHEMA) =>
    (await metric.get()).values.find((v) => v.labels.outbox === outbox)?.value;
  const insert = (createdAgo: string, published: 'published' | 'set aside' | 'unpublished') =>
    db.query(
      `INSERT INTO ${SCHEMA}.outbox (topic, message_key, message_id, envelope, created_at, published_at, set_aside_at)
     VALUES ('t', 'k', $1, '{}', now() - $2::interval, CASE WHEN $3 = 'unpublished' THEN NULL ELSE now() END, CASE WHEN $3 = 'set aside' THEN now() END)`,
      [randomUUID(), createdAgo, published],
    );

  it('reports a drained outbox as zero rows and zero age', async () => {
    const monitor = new OutboxBacklogMonitor({ dataSource: db, schema: SCHEMA, log: pino({ level: 'silent' }) });
    await monitor.refresh();
    expect(await gauge(outboxBacklog)).toBe(0);
    expect(await gauge(outboxOldestUnpublishedAge)).toBe(0);
  });

  it('counts only unpublished rows and ages the oldest of them; published and set-aside rows do not count', async () => {
    await insert('1 hour', 'published');
    await insert('2 hours', 'set aside');
    await insert('90 seconds', 'unpublished');
    await insert('5 seconds', 'unpublished');
    const monitor = new OutboxBacklogMonitor({
      dataSource: db,
      schema: SCHEMA,
      log: pino({ level: 'silent' }),
      intervalMs: 20,
    });
    monitor.start();
    await new Promise((r) => setTimeout(r, 100));
    await monitor.stop();
    expect(await gauge(outboxBacklog)).toBe(2);
    const age = await gauge(outboxOldestUnpublishedAge);
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
  });

  it('logs a failed refresh and reports no figure it does not have', async () => {
    const warnings: string[] = [];
    const log = {
      info: () => undefined,
      debug: () => undefined,
      error: () => undefined,
      warn: (_: object, msg?: string) => void warnings.push(msg ?? ''),
    };
    const monitor = new OutboxBacklogMonitor({ dataSource: db, schema: 'no_such_schema', log, intervalMs: 1_000 });
    monitor.start();
    await monitor.stop();
    expect(warnings).toEqual(['outbox backlog refresh failed']);
    expect(await gauge(outboxBacklog, 'no_such_schema')).toBeUndefined();
    expect(await gauge(outboxBacklog)).toBe(2);
  });
});
