import { EventEmitter } from 'node:events';
import { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { Envelope } from '../contracts/envelope';

const committed = new EventEmitter().setMaxListeners(100);
const handedOver = new EventEmitter().setMaxListeners(100);
const WRITTEN = Symbol('outboxSchemasWritten');

type RunnerData = Record<PropertyKey, unknown>;

/** Notes on the transaction's connection that it wrote to this outbox; the signal goes out when it commits. */
export function markOutboxWritten(manager: EntityManager, schema: string): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    // Outside a transaction (a held connection's statement included) the row is committed already.
    outboxCommitted(schema);
    return;
  }
  const data = runner.data as RunnerData;
  const schemas = (data[WRITTEN] as Set<string> | undefined) ?? new Set<string>();
  schemas.add(schema);
  data[WRITTEN] = schemas;
}

/** For a statement that wrote outbox rows outside any transaction (autocommit): they are committed already. */
export function outboxCommitted(schema: string): void {
  committed.emit(schema);
}

/** An outbox row as its writer committed it, with what the publisher needs to produce it without reading it back. */
export interface CommittedOutboxRow {
  /** The row's `id` in the outbox. */
  readonly id: string;
  readonly topic: string;
  readonly envelope: Envelope;
  readonly traceparent: string | null;
}

/**
 * For committed rows that are each the first message of their key in their outbox (a submission's
 * command, a new call's first events): no row of that outbox can have to go out before them, so the
 * publisher may produce them as they are handed over, without polling for them. Any other row must
 * go through `outboxCommitted`: only the poll keeps a key's messages in the order of their ids.
 */
export function outboxFirstRowsCommitted(schema: string, rows: readonly CommittedOutboxRow[]): void {
  if (handedOver.listenerCount(schema) === 0) return outboxCommitted(schema);
  handedOver.emit(schema, rows);
}

/**
 * `outboxFirstRowsCommitted` for a statement run on `manager`: at once outside a transaction (the rows
 * are committed); inside one, the rows wait for the poll its commit wakes (`markOutboxWritten`).
 */
export function outboxFirstRowsWritten(manager: EntityManager, schema: string, rows: readonly CommittedOutboxRow[]): void {
  if (manager.queryRunner?.isTransactionActive) markOutboxWritten(manager, schema);
  else outboxFirstRowsCommitted(schema, rows);
}

/** Calls `listener` with the rows of each `outboxFirstRowsCommitted` of this process. */
export function onOutboxFirstRowsCommitted(
  schema: string,
  listener: (rows: readonly CommittedOutboxRow[]) => void,
): () => void {
  handedOver.on(schema, listener);
  return () => handedOver.off(schema, listener);
}

/** Calls `listener` each time a transaction of this process that wrote to `schema`'s outbox commits. */
export function onOutboxCommitted(schema: string, listener: () => void): () => void {
  committed.on(schema, listener);
  return () => committed.off(schema, listener);
}

/** Emits the signal after commit (never before: the publisher would not see the rows yet), and forgets it on rollback. */
class OutboxCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const data = event.queryRunner.data as RunnerData;
    const schemas = data[WRITTEN] as Set<string> | undefined;
    if (!schemas) return;
    delete data[WRITTEN];
    for (const schema of schemas) committed.emit(schema);
  }

  afterTransactionRollback(event: TransactionCommitEvent): void {
    delete (event.queryRunner.data as RunnerData)[WRITTEN];
  }
}

/** Installs the after-commit signal on a data source (once). */
export function signalOutboxCommits(dataSource: DataSource): void {
  if (!dataSource.subscribers.some((s) => s instanceof OutboxCommitSubscriber))
    dataSource.subscribers.push(new OutboxCommitSubscriber());
}
