import { SchedulerCommandMessage } from '@app/common/contracts';

/** A batch of command messages taken off one partition of scheduler.commands.v1, in offset order. */
export class ProcessSchedulerCommands {
  constructor(readonly messages: readonly SchedulerCommandMessage[]) {}
}
