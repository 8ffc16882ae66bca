import { DataSource, QueryRunner } from 'typeorm';

/** Transactions a test leaves open on their own connections, rolled back and released by closeAll(). */
export class OpenTransactions {
  private readonly runners: QueryRunner[] = [];

  constructor(private readonly dataSource: () => DataSource) {}

  async open(): Promise<QueryRunner> {
    const runner = await openTransaction(this.dataSource());
    this.runners.push(runner);
    return runner;
  }

  async closeAll(): Promise<void> {
    for (const runner of this.runners.splice(0)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }
}

/** A transaction left open on its own connection, to race against others. */
export async function openTransaction(dataSource: DataSource): Promise<QueryRunner> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  return runner;
}

export async function backendPid(runner: QueryRunner): Promise<number> {
  const [{ pid }] = await runner.query(`SELECT pg_backend_pid() AS pid`);
  return pid;
}

/** Resolves once backend `pid` waits on a lock, so a race set up by a test is really a race. */
export async function untilWaitingOnLock(dataSource: DataSource, pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ waiting }] = await dataSource.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
      [pid],
    );
    if (waiting === 1) return;
    if (Date.now() > deadline) throw new Error(`backend ${pid} never waited on a lock`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
