import { SchedulerCommandMessage } from '@app/common/contracts';
import { claimMessage } from '@app/common/inbox';
import { messageLogFields } from '@app/common/observability';
import { appendToOutbox } from '@app/common/outbox';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { decide, evolve, initialState } from '../domain';
import { ConcurrencyConflictError } from '../event-store/concurrency-conflict.error';
import { PostgresEventStore } from '../event-store/postgres-event-store';
import { SCHEDULER_CORE_SCHEMA } from '../scheduler-core.schema';
import { applyTimerChanges } from '../timers/timer-changes';
import { eventMessages, outboxMessagesFor } from './outgoing-messages';
import { ProcessSchedulerCommand } from './process-scheduler-command.command';
import { toDomainCommand } from './to-domain-command';

const MAX_CONFLICT_RETRIES = 5;

/**
 * Load the stream, fold evolve, decide, then append with the expected version plus outbox rows
 * and timer changes in one transaction. A version conflict retries the whole command.
 */
@CommandHandler(ProcessSchedulerCommand)
export class ProcessSchedulerCommandHandler implements ICommandHandler<ProcessSchedulerCommand> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly eventStore: PostgresEventStore,
    @InjectPinoLogger(ProcessSchedulerCommandHandler.name) private readonly log: PinoLogger,
  ) {}

  async execute({ message }: ProcessSchedulerCommand): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction('READ COMMITTED', (manager) => this.decideAndAppend(manager, message));
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        this.log.warn({ ...messageLogFields(message), attempt }, 'concurrency conflict; retrying command');
      }
    }
  }

  private async decideAndAppend(manager: EntityManager, message: SchedulerCommandMessage): Promise<void> {
    const fields = messageLogFields(message);
    if (!(await claimMessage(manager, SCHEDULER_CORE_SCHEMA, message))) {
      this.log.info(fields, 'duplicate command ignored');
      return;
    }
    this.log.info(fields, 'command received');
    const ref = { tenantId: message.tenantId, serviceCallId: message.aggregateId };
    const stream = await this.eventStore.readStream(manager, ref.tenantId, ref.serviceCallId);
    const state = stream.events.reduce(evolve, initialState());
    const now = new Date();
    const decision = decide(toDomainCommand(message, now), state);
    if (decision.kind === 'rejected') {
      this.log.warn({ ...fields, reason: decision.reason, status: state.status }, 'command rejected');
      return;
    }
    if (decision.events.length === 0) return;
    const events = eventMessages(ref, decision.events, stream.version, message, now);
    await this.eventStore.appendToStream(manager, stream.version, events);
    const stateAfter = decision.events.reduce(evolve, state);
    await appendToOutbox(manager, SCHEDULER_CORE_SCHEMA, outboxMessagesFor(ref, events, stateAfter, now));
    await applyTimerChanges(manager, events, state.status === 'Scheduled');
    this.log.info({ ...fields, appended: events.map((e) => `${e.type}@${e.version}`) }, 'events appended');
  }
}
