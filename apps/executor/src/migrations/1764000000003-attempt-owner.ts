import { MigrationInterface, QueryRunner } from 'typeorm';
import { EXECUTOR_SCHEMA as S } from '../executor.schema';

/** Which executor process began an attempt: a process that finds its own unsent attempt knows the call never left. */
export class AttemptOwner1764000000003 implements MigrationInterface {
  name = 'AttemptOwner1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${S}".attempts ADD COLUMN executor_instance text, ADD COLUMN timeout_ms integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "${S}".attempts DROP COLUMN IF EXISTS executor_instance, DROP COLUMN IF EXISTS timeout_ms`);
  }
}
