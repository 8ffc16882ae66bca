import { MigrationInterface, QueryRunner } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';

/**
 * The attempts still running, indexed on their own. Recording a batch of results updates them by
 * key with `finished_at IS NULL`; without this index the planner, estimating one unfinished row,
 * scanned the whole table for every batch (a cost that grows with every call ever made).
 */
export class UnfinishedAttemptsIndex1764000000005 implements MigrationInterface {
  name = 'UnfinishedAttemptsIndex1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX attempts_unfinished_idx ON "${S}".attempts (tenant_id, service_call_id, attempt) WHERE finished_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "${S}".attempts_unfinished_idx`);
  }
}
