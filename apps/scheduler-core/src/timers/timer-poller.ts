import { performance } from 'node:perf_hooks';
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
  /**
   * While timers keep falling due, a pass comes at most this often, so that those due close together
   * fire in one transaction. Default: a twentieth of the lead, at most 50 ms (none without a lead).
   */
  readonly passGapMs?: number;
}

/** Timers one pass fires at most; a full pass is followed by the next at once. */
const PASS_BATCH = 200;
/** Due timers all locked by another replica: look again this much later rather than spin. */
const LOCKED_RETRY_MS = 20;

/** A twentieth of the lead, at most 50 ms: a timer that fires that much after its hand-over time still leaves 95 % of the lead for the pipeline. */
export function defaultPassGapMs(leadMs: number): number {
  return Math.min(50, Math.floor(leadMs / 20));
}

/**
 * Fires due timers as DueTimeReached commands through the outbox (at least once). A timer is due
 * `leadMs` before its call's dueAt, so that the command and the execution it leads to cross the
 * pipeline before the call must start (ADR-0017). Replicas share the work with FOR UPDATE SKIP
 * LOCKED. Between passes it sleeps until the next timer is due (at most maxSleepMs), and at least
 * `passGapMs` after a pass that fired, so a steady stream of timers fires in batches. A timer set by
 * this process wakes it only if it falls due before the pass it waits for. The first pass is the
 * boot scan.
 */
export class TimerPoller {
  private running = false;
  private loop?: Promise<void>;
  private readonly pause = new WakeableSleep();
  private stopListening?: () => void;

  private readonly leadMs: number;
  private readonly maxSleepMs: number;
  private readonly passGapMs: number;
  /** performance.now() of the last pass that fired (-Infinity after a full one: the next comes at once). */
  private lastFiredAt = -Infinity;
  private sleeping = false;
  /** While the loop sleeps: a timer set here that fires before this (the database's clock, epoch ms) ends the sleep. */
  private wakeIfBefore = -Infinity;
  /** While the loop reads or fires: when the earliest timer set here meanwhile fires, which that read may not have seen. */
  private setMeanwhile = Infinity;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: Log,
    options: TimerPollerOptions,
  ) {
    this.leadMs = options.leadMs;
    this.maxSleepMs = options.maxSleepMs ?? 500;
    this.passGapMs = options.passGapMs ?? defaultPassGapMs(options.leadMs);
  }

  start(): void {
    this.running = true;
    this.stopListening = onTimersSet((earliestDueAt) => this.onTimerSet(earliestDueAt - this.leadMs));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopListening?.();
    this.pause.wake();
    await this.loop;
  }

  /** A timer set by this process, firing at `firesAt` (the database's clock): wake the loop if it sleeps past that. */
  private onTimerSet(firesAt: number): void {
    if (!this.sleeping) this.setMeanwhile = Math.min(this.setMeanwhile, firesAt);
    else if (firesAt < this.wakeIfBefore) this.pause.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.sleeping = false;
      this.setMeanwhile = Infinity;
      // After a failure it waits the whole sleep: nothing set meanwhile cuts it short.
      let plan: Sleep = { ms: this.maxSleepMs, wakeIfBefore: -Infinity };
      try {
        plan = await this.fireOrPlan(await this.nextTimer());
      } catch (error) {
        this.log.error({ error: error instanceof Error ? error.message : String(error) }, 'timer pass failed');
      }
      if (this.setMeanwhile < plan.wakeIfBefore) continue;
      this.wakeIfBefore = plan.wakeIfBefore;
      this.sleeping = true;
      if (plan.ms > 0) await this.pause.sleep(plan.ms);
    }
  }

  /**
   * Fires what is due, unless the last pass that fired was less than `passGapMs` ago; says how long
   * to sleep then. Nothing is written unless a timer is due: an idle poller costs one indexed read.
   */
  private async fireOrPlan({ dueInMs, databaseNow }: NextTimer): Promise<Sleep> {
    const untilNext = (ms: number): Sleep => ({ ms, wakeIfBefore: databaseNow + ms });
    if (dueInMs === null) return untilNext(this.maxSleepMs);
    const gapLeft = this.lastFiredAt + this.passGapMs - performance.now();
    if (dueInMs > 0 && dueInMs >= gapLeft) return untilNext(Math.min(this.maxSleepMs, dueInMs));
    // Until the gap is over no pass comes, so no timer set meanwhile wakes the loop.
    if (gapLeft > 0) return { ms: gapLeft, wakeIfBefore: -Infinity };
    const fired = await this.fireDueTimers(PASS_BATCH);
    if (fired >= PASS_BATCH) {
      this.lastFiredAt = -Infinity;
      return { ms: 0, wakeIfBefore: -Infinity };
    }
    if (fired > 0) {
      this.lastFiredAt = performance.now();
      return { ms: this.passGapMs, wakeIfBefore: -Infinity };
    }
    return { ms: LOCKED_RETRY_MS, wakeIfBefore: -Infinity };
  }

  async fireDueTimers(batch = PASS_BATCH): Promise<number> {
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

  /** Milliseconds until the earliest timer is due to fire (negative when overdue, null when there is none), and the database's clock. */
  private async nextTimer(): Promise<NextTimer> {
    const [row]: { ms: number | null; now: Date }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM (min(due_at) - now())) * 1000 AS ms, now() AS now FROM "${S}".timers`,
    );
    return {
      dueInMs: row.ms === null ? null : Math.ceil(Number(row.ms) - this.leadMs),
      databaseNow: new Date(row.now).getTime(),
    };
  }
}

interface NextTimer {
  readonly dueInMs: number | null;
  /** The database's clock when it answered (epoch ms). */
  readonly databaseNow: number;
}

/** How long the loop sleeps, and which newly set timers end the sleep: those firing before `wakeIfBefore`. */
interface Sleep {
  readonly ms: number;
  readonly wakeIfBefore: number;
}
