import { SchedulerCommandMessage, TOPICS } from '@app/common/contracts';
import { KafkaHandlerErrorFilter } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ProcessSchedulerCommand } from './process-scheduler-command.command';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class SchedulerCommandsController {
  constructor(private readonly commandBus: CommandBus) {}

  @EventPattern(TOPICS.commands)
  async onCommand(@Payload() message: SchedulerCommandMessage): Promise<void> {
    await this.commandBus.execute(new ProcessSchedulerCommand(message));
  }
}
