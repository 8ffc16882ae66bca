import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '@app/common/database';
import { claimedCte, claimValues, createInboxTableSql, freshOf } from '@app/common/inbox';
import { createTestDatabase } from '../../../test/support/test-database';
import { backendPid, OpenTransactions, untilWaitingOnLock } from '../../../test/support/postgres-sessions';

const SCHEMA = 'inbox_it';

/** The shared claim on its own: true when this transaction is the first to claim the message. */
async function claimMessage(manager: EntityManager, schema: string, message: { messageId: string; type: string }) {
  const rows: { message_id: string }[] = await manager.query(
    `WITH ${claimedCte(schema)} SELECT message_id FROM claimed`,
    claimValues([message]),
  );
  return freshOf([message], rows).length === 1;
}

describe('the inbox claim (real Postgres)', () => {
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

  const message = () => ({ messageId: randomUUID(), type: 'SubmitServiceCall' });
  const claimInOwnTransaction = (m: { messageId: string; type: string }) =>
    dataSource.transaction((manager) => claimMessage(manager, SCHEMA, m));

  it('claims a message once: true the first time, false for the same messageId afterwards', async () => {
    const m = message();
    expect(await claimInOwnTransaction(m)).toBe(true);
    expect(await claimInOwnTransaction(m)).toBe(false);
    expect(await claimInOwnTransaction({ ...m, type: 'SomethingElse' })).toBe(false);
    expect(await claimInOwnTransaction(message())).toBe(true);
    const rows = await dataSource.query(`SELECT message_type FROM "${SCHEMA}".inbox WHERE message_id = $1`, [m.messageId]);
    expect(rows).toEqual([{ message_type: 'SubmitServiceCall' }]);
  });

  it('lets exactly one of two open transactions claim the same message: the second waits, then loses', async () => {
    const m = message();
    const first = await openTransaction();
    const second = await openTransaction();
    const secondPid = await backendPid(second);
    expect(await claimMessage(first.manager, SCHEMA, m)).toBe(true);
    const secondClaim = claimMessage(second.manager, SCHEMA, m);
    await untilWaitingOnLock(dataSource, secondPid);
    await first.commitTransaction();
    expect(await secondClaim).toBe(false);
  });

  it('releases the claim when the claiming transaction rolls back, so a redelivery is processed', async () => {
    const m = message();
    const first = await openTransaction();
    const second = await openTransaction();
    const secondPid = await backendPid(second);
    expect(await claimMessage(first.manager, SCHEMA, m)).toBe(true);
    const secondClaim = claimMessage(second.manager, SCHEMA, m);
    await untilWaitingOnLock(dataSource, secondPid);
    await first.rollbackTransaction();
    expect(await secondClaim).toBe(true);
    await second.commitTransaction();
    expect(await claimInOwnTransaction(m)).toBe(false);
  });

  it('gives exactly one winner among many concurrent claims of the same message', async () => {
    const m = message();
    const results = await Promise.all(Array.from({ length: 10 }, () => claimInOwnTransaction(m)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [{ count }] = await dataSource.query(
      `SELECT count(*)::int AS count FROM "${SCHEMA}".inbox WHERE message_id = $1`,
      [m.messageId],
    );
    expect(count).toBe(1);
  });
});
