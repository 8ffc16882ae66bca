import { SchedulerCommandMessage, TOPICS } from '@app/common/contracts';
import { ConsumedMessage, KafkaHandlerErrorFilter } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ProcessSchedulerCommands } from './process-scheduler-commands.command';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class SchedulerCommandsController {
  constructor(private readonly commandBus: CommandBus) {}

  @EventPattern(TOPICS.commands)
  async onCommands(@Payload() batch: readonly ConsumedMessage<SchedulerCommandMessage>[]): Promise<void> {
    await this.commandBus.execute(new ProcessSchedulerCommands(batch.map((m) => m.envelope)));
  }
}
