import { DueTimeReachedPayload, COMMAND_SCHEMA_VERSION, newEnvelope, TOPICS } from '@app/common/contracts';
import { Log, recordTimerLateness } from '@app/common/observability';
import { returnedRows } from '@app/common/database';
import { appendToOutbox } from '@app/common/outbox';
import { DataSource } from 'typeorm';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';

interface DueTimer {
  tenant_id: string;
  service_call_id: string;
  due_at: Date;
  correlation_id: string;
  causation_id: string;
}

/**
 * Fires due timers as DueTimeReached commands through the outbox (at least once). Replicas share
 * the work with FOR UPDATE SKIP LOCKED; after each pass it sleeps until the next timer is due
 * (at most maxSleepMs), which keeps lateness well under a second. The first pass is the boot scan.
 */
export class TimerPoller {
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly dataSource: DataSource, private readonly log: Log, private readonly maxSleepMs = 250) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sleep = this.maxSleepMs;
      try {
        const fired = await this.fireDueTimers();
        sleep = fired > 0 ? 0 : await this.msUntilNextTimer();
      } catch (error) {
        this.log.error({ error: error instanceof Error ? error.message : String(error) }, 'timer pass failed');
      }
      await new Promise((r) => setTimeout(r, sleep));
    }
  }

  async fireDueTimers(batch = 200): Promise<number> {
    const fired = await this.dataSource.transaction(async (manager) => {
      const rows = returnedRows<DueTimer>(await manager.query(
        `DELETE FROM "${S}".timers t USING (
           SELECT tenant_id, service_call_id FROM "${S}".timers WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
         ) due WHERE t.tenant_id = due.tenant_id AND t.service_call_id = due.service_call_id
         RETURNING t.*`,
        [batch],
      ));
      const now = new Date();
      await appendToOutbox(manager, S, rows.map((row) => {
        const payload: DueTimeReachedPayload = { serviceCallId: row.service_call_id, dueAt: new Date(row.due_at).toISOString(), firedAt: now.toISOString() };
        const envelope = newEnvelope({
          type: 'DueTimeReached', tenantId: row.tenant_id, serviceCallId: row.service_call_id, payload, schemaVersion: COMMAND_SCHEMA_VERSION,
          cause: { messageId: row.causation_id, correlationId: row.correlation_id }, timestamp: now,
        });
        this.log.debug({ serviceCallId: row.service_call_id, tenantId: row.tenant_id, correlationId: row.correlation_id, lateMs: now.getTime() - new Date(row.due_at).getTime() }, 'timer fired');
        return { topic: TOPICS.commands, envelope };
      }));
      return { rows, now };
    });
    for (const row of fired.rows) recordTimerLateness(new Date(row.due_at), fired.now);
    return fired.rows.length;
  }

  private async msUntilNextTimer(): Promise<number> {
    const rows: { ms: number | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (min(due_at) - now())) * 1000 AS ms FROM "${S}".timers`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? this.maxSleepMs : Math.max(0, Math.min(this.maxSleepMs, Math.ceil(Number(ms))));
  }
}
