import { hostname, userInfo } from 'node:os';
import { connectDatabase, createDataSource, migrateSchema } from '@app/common/database';
import { DataSource, QueryRunner } from 'typeorm';
import { formatRef } from './dlq-arguments';
import { DlqRecord } from './dlq-record';
import { CreateDlqReplays1764100000001 } from './migrations/1764100000001-create-dlq-replays';
import { REPAIR_SCHEMA as S } from './repair.schema';

export interface PastReplay {
  readonly ref: string;
  readonly replayedAt: string;
  readonly replayedBy: string;
}

/**
 * Which DLQ records were already sent back, keyed by their DLQ position. A replay claims its rows in
 * a transaction that commits only after the broker took the messages: a second replay (or another
 * operator's, which waits on the same keys) finds them and sends nothing. If the tool dies between
 * the send and the commit, a later replay sends again, which the consumers' messageId dedupe absorbs.
 */
export class ReplayLog {
  private constructor(private readonly dataSource: DataSource) {}

  static async open(databaseUrl: string): Promise<ReplayLog> {
    const dataSource = createDataSource({
      url: databaseUrl,
      schema: S,
      migrations: [CreateDlqReplays1764100000001],
      poolSize: 2,
      applicationName: 'dlq-tool',
    });
    await connectDatabase(dataSource, databaseUrl);
    await migrateSchema(dataSource, S);
    return new ReplayLog(dataSource);
  }

  /**
   * Claims the records not replayed before, runs `send` with them, and records them only if it succeeds.
   * Returns what was sent and what had been replayed earlier.
   */
  async replayOnce(
    records: readonly DlqRecord[],
    send: (fresh: readonly DlqRecord[]) => Promise<void>,
  ): Promise<{ sent: DlqRecord[]; earlier: Map<string, PastReplay> }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const claimed = await this.claim(runner, records);
      const sent = records.filter((r) => claimed.has(formatRef(r.ref)));
      const earlier = await this.earlier(
        runner,
        records.filter((r) => !claimed.has(formatRef(r.ref))),
      );
      if (sent.length > 0) await send(sent);
      await runner.commitTransaction();
      return { sent, earlier };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  async close(): Promise<void> {
    await this.dataSource.destroy();
  }

  private async claim(runner: QueryRunner, records: readonly DlqRecord[]): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    const rows = records.map((r) => ({
      dlq_topic: r.ref.topic,
      dlq_partition: r.ref.partition,
      dlq_offset: r.ref.offset,
      original_topic: r.original.topic,
      message_id: r.messageId,
      replayed_by: operator(),
    }));
    const inserted = (await runner.query(
      `INSERT INTO "${S}".dlq_replays (dlq_topic, dlq_partition, dlq_offset, original_topic, message_id, replayed_by)
       SELECT dlq_topic, dlq_partition, dlq_offset, original_topic, message_id, replayed_by
         FROM jsonb_to_recordset($1::jsonb) AS r(dlq_topic text, dlq_partition int, dlq_offset bigint, original_topic text, message_id text, replayed_by text)
       ORDER BY dlq_topic, dlq_partition, dlq_offset
       ON CONFLICT DO NOTHING
       RETURNING dlq_topic, dlq_partition, dlq_offset::text`,
      [JSON.stringify(rows)],
    )) as { dlq_topic: string; dlq_partition: number; dlq_offset: string }[];
    return new Set(inserted.map((r) => formatRef({ topic: r.dlq_topic, partition: r.dlq_partition, offset: r.dlq_offset })));
  }

  private async earlier(runner: QueryRunner, records: readonly DlqRecord[]): Promise<Map<string, PastReplay>> {
    if (records.length === 0) return new Map();
    const rows = (await runner.query(
      `SELECT d.dlq_topic, d.dlq_partition, d.dlq_offset::text, d.replayed_at, d.replayed_by
         FROM "${S}".dlq_replays d JOIN unnest($1::text[], $2::int[], $3::bigint[]) AS k(dlq_topic, dlq_partition, dlq_offset) USING (dlq_topic, dlq_partition, dlq_offset)`,
      [records.map((r) => r.ref.topic), records.map((r) => r.ref.partition), records.map((r) => r.ref.offset)],
    )) as { dlq_topic: string; dlq_partition: number; dlq_offset: string; replayed_at: Date; replayed_by: string }[];
    return new Map(
      rows.map((r) => {
        const ref = formatRef({ topic: r.dlq_topic, partition: r.dlq_partition, offset: r.dlq_offset });
        return [ref, { ref, replayedAt: new Date(r.replayed_at).toISOString(), replayedBy: r.replayed_by }];
      }),
    );
  }
}

function operator(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
