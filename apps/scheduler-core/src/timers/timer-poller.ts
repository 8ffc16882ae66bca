import { DueTimeReachedPayload, COMMAND_SCHEMA_VERSION, newEnvelope, TOPICS } from '@app/common/contracts';
import { WakeableSleep } from '@app/common/clock';
import { Log, recordTimerLateness } from '@app/common/observability';
import { returnedRows } from '@app/common/database';
import { appendToOutbox } from '@app/common/outbox';
import { DataSource } from 'typeorm';
import { SCHEDULER_CORE_SCHEMA as S } from '../scheduler-core.schema';
import { onTimersSet } from './timers-set-signal';

interface DueTimer {
  tenant_id: string;
  service_call_id: string;
  due_at: Date;
  correlation_id: string;
  causation_id: string;
  traceparent: string | null;
}

export interface TimerPollerOptions {
  /** SCHEDULER_TIMER_LEAD_MS: a timer fires this long before its dueAt; the executor holds the call until the dueAt. */
  readonly leadMs: number;
  /** Bounds how late a timer set by another replica is seen; this process's own are seen at once. */
  readonly maxSleepMs?: number;
}

/**
 * Fires due timers as DueTimeReached commands through the outbox (at least once). A timer is due
 * `leadMs` before its call's dueAt, so that the command and the execution it leads to cross the
 * pipeline before the call must start (ADR-0017). Replicas share the work with FOR UPDATE SKIP
 * LOCKED; after each pass it sleeps until the next timer is due (at most maxSleepMs). The first
 * pass is the boot scan.
 */
export class TimerPoller {
  private running = false;
  private loop?: Promise<void>;
  private readonly pause = new WakeableSleep();
  private stopListening?: () => void;

  private readonly leadMs: number;
  private readonly maxSleepMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: Log,
    options: TimerPollerOptions,
  ) {
    this.leadMs = options.leadMs;
    this.maxSleepMs = options.maxSleepMs ?? 500;
  }

  start(): void {
    this.running = true;
    this.stopListening = onTimersSet(() => this.pause.wake());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopListening?.();
    this.pause.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    let fired = 0;
    while (this.running) {
      let sleep = this.maxSleepMs;
      try {
        // Nothing is written unless a timer is due: an idle poller costs one indexed read per pass.
        const dueIn = fired > 0 ? 0 : await this.msUntilNextTimer();
        fired = dueIn !== null && dueIn <= 0 ? await this.fireDueTimers() : 0;
        // Due rows all locked by another replica: look again shortly rather than spin.
        sleep = fired > 0 ? 0 : dueIn === null ? this.maxSleepMs : dueIn <= 0 ? 20 : Math.min(this.maxSleepMs, dueIn);
      } catch (error) {
        this.log.error({ error: error instanceof Error ? error.message : String(error) }, 'timer pass failed');
      }
      if (sleep > 0) await this.pause.sleep(sleep);
    }
  }

  async fireDueTimers(batch = 200): Promise<number> {
    const fired = await this.dataSource.transaction(async (manager) => {
      const rows = returnedRows<DueTimer>(
        await manager.query(
          `DELETE FROM "${S}".timers t USING (
           SELECT tenant_id, service_call_id FROM "${S}".timers
           WHERE due_at <= now() + make_interval(secs => $2::double precision / 1000)
           ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
         ) due WHERE t.tenant_id = due.tenant_id AND t.service_call_id = due.service_call_id
         RETURNING t.*`,
          [batch, this.leadMs],
        ),
      );
      const now = new Date();
      await appendToOutbox(
        manager,
        S,
        rows.map((row) => {
          const payload: DueTimeReachedPayload = {
            serviceCallId: row.service_call_id,
            dueAt: new Date(row.due_at).toISOString(),
            firedAt: now.toISOString(),
          };
          const envelope = newEnvelope({
            type: 'DueTimeReached',
            tenantId: row.tenant_id,
            serviceCallId: row.service_call_id,
            payload,
            schemaVersion: COMMAND_SCHEMA_VERSION,
            cause: { messageId: row.causation_id, correlationId: row.correlation_id },
            timestamp: now,
          });
          this.log.debug(
            {
              serviceCallId: row.service_call_id,
              tenantId: row.tenant_id,
              correlationId: row.correlation_id,
              lateMs: now.getTime() - this.handOverAt(row).getTime(),
            },
            'timer fired',
          );
          return { topic: TOPICS.commands, envelope, traceparent: row.traceparent };
        }),
      );
      return { rows, now };
    });
    for (const row of fired.rows) recordTimerLateness(this.handOverAt(row), fired.now);
    return fired.rows.length;
  }

  /** When a timer is meant to fire: its lead before the call's dueAt. */
  private handOverAt(row: DueTimer): Date {
    return new Date(new Date(row.due_at).getTime() - this.leadMs);
  }

  /** Milliseconds until the earliest timer is due to fire (by the database's clock; negative when overdue), or null when there is none. */
  private async msUntilNextTimer(): Promise<number | null> {
    const rows: { ms: number | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (min(due_at) - now())) * 1000 AS ms FROM "${S}".timers`,
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? null : Math.ceil(Number(ms) - this.leadMs);
  }
}
