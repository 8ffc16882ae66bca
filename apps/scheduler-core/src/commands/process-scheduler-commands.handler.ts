import { SchedulerCommandMessage } from '@app/common/contracts';
import { isUniqueViolation, withConnection } from '@app/common/database';
import { unprocessedOf } from '@app/common/inbox';
import { commandBatches, messageLogFields } from '@app/common/observability';
import { Inject, Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { ConcurrencyConflictError } from '../event-store/concurrency-conflict.error';
import { PostgresEventStore } from '../event-store/postgres-event-store';
import { TIMER_LEAD_MS } from '../timers/timer-lead';
import { earliestDueAt } from '../timers/timer-changes';
import { timersSet } from '../timers/timers-set-signal';
import { StreamRef } from './outgoing-messages';
import { LoadedStream, planCommandBatch, StreamPlan, streamKey, streamRefOf } from './plan-command-batch';
import { DatabaseClock } from './database-clock';
import { ProcessSchedulerCommands } from './process-scheduler-commands.command';
import { StreamCache } from './stream-cache';

const MAX_CONFLICT_ROUNDS = 5;
const MAX_RACES = 5;

/** What a batch is decided from: its messages not processed before, the clock, and its streams. */
interface BatchInput {
  readonly fresh: SchedulerCommandMessage[];
  readonly now: Date;
  readonly streams: Map<string, LoadedStream>;
}

/**
 * One or two statements per batch and no transaction, set-based: decide each command in memory
 * against its stream, then append all events (guarded per stream by its expected version) with the
 * outbox rows, timer changes and inbox records of the streams that were at their version, in one
 * statement, atomic on its own. Streams that moved on meanwhile are re-read and re-decided alone.
 *
 * Most batches are decided from the StreamCache, the streams this process appended to last, and a
 * call's first command (its submission) has no stream to read. The others first read which of
 * their messages were processed before, the clock and every affected stream, in one statement. A
 * stale cache is caught by the append's guard, a message processed before by the inbox's key. A
 * rival committing the same stream version or message while the write runs (two consumers on one
 * partition, in a rebalance) fails the write as a whole; then the batch is read and decided again.
 */
@CommandHandler(ProcessSchedulerCommands)
export class ProcessSchedulerCommandsHandler implements ICommandHandler<ProcessSchedulerCommands> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly eventStore: PostgresEventStore,
    @InjectPinoLogger(ProcessSchedulerCommandsHandler.name) private readonly log: PinoLogger,
    @Optional() @Inject(TIMER_LEAD_MS) private readonly timerLeadMs = 0,
    @Optional() private readonly cache: StreamCache = new StreamCache(),
    @Optional() private readonly clock: DatabaseClock = new DatabaseClock(),
  ) {}

  async execute({ messages }: ProcessSchedulerCommands): Promise<void> {
    const cached = this.fromCache(messages);
    if (cached) {
      try {
        await this.decideAndAppendOnce(messages, cached);
        commandBatches.inc({ read: 'cache' });
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        for (const m of messages) this.cache.forget(streamKey(streamRefOf(m)));
        commandBatches.inc({ read: 'again' });
        this.log.debug(
          { messages: messages.length },
          'a message of the batch was processed before, or a rival wrote; reading it',
        );
      }
    } else {
      commandBatches.inc({ read: 'database' });
    }
    for (let race = 1; ; race++) {
      try {
        await this.decideAndAppendOnce(messages);
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (race >= MAX_RACES) throw new ConcurrencyConflictError(messages[0].aggregateId, -1);
        this.log.warn(
          { race, messages: messages.length },
          'a rival wrote a stream or message of the batch; deciding it again',
        );
      }
    }
  }

  private async decideAndAppendOnce(messages: readonly SchedulerCommandMessage[], cached?: BatchInput): Promise<void> {
    // One held connection: the batch's statements are prepared on it, and each commits by itself.
    const earliestTimer = await withConnection(this.dataSource, (manager) =>
      this.decideAndAppend(manager, messages, cached),
    );
    if (earliestTimer !== undefined) timersSet(earliestTimer);
  }

  /**
   * The batch's input without a read, when every stream it addresses is cached or begins with the
   * batch's own submission, and the clock was read recently; otherwise undefined. Duplicates within
   * the batch are dropped here; those processed before are refused by the append.
   */
  private fromCache(messages: readonly SchedulerCommandMessage[]): BatchInput | undefined {
    const now = this.clock.now();
    if (!now) return undefined;
    const streams = new Map<string, LoadedStream>();
    const begun = new Set<string>();
    for (const m of messages) {
      const key = streamKey(streamRefOf(m));
      if (streams.has(key) || begun.has(key)) continue;
      const stream = this.cache.get(key);
      if (stream) streams.set(key, stream);
      else if (m.type === 'SubmitServiceCall') begun.add(key);
      else return undefined;
    }
    return { fresh: unprocessedOf(messages, []), now, streams };
  }

  /** One round trip: what was processed before, the clock and the streams of the whole batch (duplicates' included, a rare waste). */
  private async read(manager: EntityManager, messages: readonly SchedulerCommandMessage[]): Promise<BatchInput> {
    const read = await this.eventStore.readBatch(manager, messages, uniqueRefs(messages));
    this.clock.observe(read.now);
    return read;
  }

  /** The earliest dueAt (epoch ms) of the timers the batch set, if it set any: the poller is told after the commit. */
  private async decideAndAppend(
    manager: EntityManager,
    messages: readonly SchedulerCommandMessage[],
    cached?: BatchInput,
  ): Promise<number | undefined> {
    const { fresh, now, streams: first } = cached ?? (await this.read(manager, messages));
    let loaded: Map<string, LoadedStream> | undefined = first;
    if (fresh.length < messages.length)
      this.log.debug({ duplicates: messages.length - fresh.length }, 'duplicate commands ignored');
    if (this.log.logger.isLevelEnabled('debug'))
      for (const m of fresh) this.log.debug(messageLogFields(m), 'command received');
    let pending = fresh;
    let earliestTimer: number | undefined;
    for (let round = 1; pending.length > 0; round++) {
      if (round > MAX_CONFLICT_ROUNDS) {
        const first = pending[0];
        throw new ConcurrencyConflictError(first.aggregateId, -1);
      }
      const streams = loaded ?? (await this.eventStore.readStreams(manager, uniqueRefs(pending)));
      loaded = undefined;
      const plan = planCommandBatch(pending, streams, now, this.timerLeadMs);
      for (const r of plan.rejections)
        this.log.warn({ ...messageLogFields(r.message), reason: r.reason, status: r.status }, 'command rejected');
      const conflicts = await this.eventStore.appendToStreams(manager, plan.streams, pending.map(claimOf));
      const applied = plan.streams.filter((s) => !conflicts.has(streamKey(s.ref)));
      for (const key of conflicts) this.cache.forget(key);
      for (const s of applied)
        this.cache.remember({ ref: s.ref, state: s.state, version: s.expectedVersion + s.events.length });
      earliestTimer = earliestDueAt(applied, earliestTimer);
      this.logAppended(applied);
      if (conflicts.size > 0)
        this.log.warn({ streams: conflicts.size, round }, 'concurrency conflict; re-deciding those streams');
      pending = pending.filter((m) => conflicts.has(streamKey(streamRefOf(m))));
    }
    return earliestTimer;
  }

  private logAppended(applied: readonly StreamPlan[]): void {
    if (!this.log.logger.isLevelEnabled('debug')) return;
    for (const s of applied) {
      if (s.events.length === 0) continue;
      const cause = s.events[0];
      this.log.debug(
        { ...messageLogFields(cause), appended: s.events.map((e) => `${e.type}@${e.version}`) },
        'events appended',
      );
    }
  }
}

function claimOf(m: SchedulerCommandMessage) {
  return { ref: streamRefOf(m), messageId: m.messageId, type: m.type };
}

function uniqueRefs(messages: readonly SchedulerCommandMessage[]) {
  const refs = new Map<string, StreamRef>();
  for (const m of messages) {
    const ref = streamRefOf(m);
    refs.set(streamKey(ref), ref);
  }
  return [...refs.values()];
}
