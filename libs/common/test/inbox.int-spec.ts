import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { createDataSource, isUniqueViolation } from '@app/common/database';
import { createInboxTableSql, inboxInsert, processedMessagesSql, unprocessedOf } from '@app/common/inbox';
import { createTestDatabase } from '../../../test/support/test-database';
import { backendPid, OpenTransactions, untilWaitingOnLock } from '../../../test/support/postgres-sessions';
import { failureOf } from '../../../test/support/failure-of';

const SCHEMA = 'inbox_it';

type Message = { messageId: string; type: string };

/** Records messages as processed, as a handler's write does with its effects. */
async function record(manager: EntityManager, messages: Message[]): Promise<void> {
  await manager.query(`${inboxInsert(SCHEMA)} SELECT * FROM unnest($1::text[], $2::text[])`, [
    messages.map((m) => m.messageId),
    messages.map((m) => m.type),
  ]);
}

async function unprocessed(manager: EntityManager, messages: Message[]): Promise<Message[]> {
  const rows: { message_id: string }[] = await manager.query(processedMessagesSql(SCHEMA, '$1'), [
    messages.map((m) => m.messageId),
  ]);
  return unprocessedOf(
    messages,
    rows.map((r) => r.message_id),
  );
}

describe('the inbox (real Postgres)', () => {
  let dataSource: DataSource;
  const transactions = new OpenTransactions(() => dataSource);

  beforeAll(async () => {
    const url = await createTestDatabase('inbox');
    dataSource = await createDataSource({
      url,
      schema: SCHEMA,
      migrations: [],
      applicationName: 'inbox-it',
      poolSize: 12,
    }).initialize();
    await dataSource.query(`CREATE SCHEMA "${SCHEMA}"`);
    await dataSource.query(createInboxTableSql(SCHEMA));
  });

  afterEach(() => transactions.closeAll());

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const openTransaction = () => transactions.open();

  const message = (): Message => ({ messageId: randomUUID(), type: 'SubmitServiceCall' });

  it('finds the messages not processed before, each once, in batch order', async () => {
    const [a, b, c] = [message(), message(), message()];
    await record(dataSource.manager, [b]);
    expect(await unprocessed(dataSource.manager, [a, b, a, c, b, c])).toEqual([a, c]);
    const rows = await dataSource.query(`SELECT message_type FROM "${SCHEMA}".inbox WHERE message_id = $1`, [b.messageId]);
    expect(rows).toEqual([{ message_type: 'SubmitServiceCall' }]);
  });

  it('refuses to record a message twice: the second of two open transactions waits, then fails', async () => {
    const m = message();
    const first = await openTransaction();
    const second = await openTransaction();
    const secondPid = await backendPid(second);
    await record(first.manager, [m]);
    const secondRecord = failureOf(record(second.manager, [m]));
    await untilWaitingOnLock(dataSource, secondPid);
    await first.commitTransaction();
    expect(isUniqueViolation(await secondRecord)).toBe(true);
    expect(await unprocessed(dataSource.manager, [m])).toEqual([]);
  });

  it('leaves a message unprocessed when the transaction recording it rolls back, so a redelivery is handled', async () => {
    const m = message();
    const first = await openTransaction();
    const second = await openTransaction();
    const secondPid = await backendPid(second);
    await record(first.manager, [m]);
    const secondRecord = record(second.manager, [m]);
    await untilWaitingOnLock(dataSource, secondPid);
    await first.rollbackTransaction();
    await secondRecord;
    await second.commitTransaction();
    expect(await unprocessed(dataSource.manager, [m])).toEqual([]);
  });

  it('lets exactly one of many concurrent records of the same message through', async () => {
    const m = message();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => failureOf(record(dataSource.manager, [m]))));
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(1);
    expect(outcomes.filter((o) => isUniqueViolation(o))).toHaveLength(9);
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM "${SCHEMA}".inbox WHERE message_id = $1`,
      [m.messageId],
    );
    expect(count).toBe(1);
  });
});
