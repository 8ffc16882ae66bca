import { SchedulerCommandMessage } from '@app/common/contracts';

/** A batch of command messages of scheduler.commands.v1: each partition's in offset order, several partitions' when fetched together. */
export class ProcessSchedulerCommands {
  constructor(readonly messages: readonly SchedulerCommandMessage[]) {}
}
