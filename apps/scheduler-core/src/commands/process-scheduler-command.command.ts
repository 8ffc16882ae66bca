import { SchedulerCommandMessage } from '@app/common/contracts';

/** A command message taken off scheduler.commands.v1, to be decided against its stream. */
export class ProcessSchedulerCommand {
  constructor(readonly message: SchedulerCommandMessage) {}
}
