import { ExecuteServiceCall, TOPICS } from '@app/common/contracts';
import { KafkaHandlerErrorFilter } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExecuteServiceCallHandler } from './execute-service-call.handler';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class ExecutionsController {
  constructor(private readonly handler: ExecuteServiceCallHandler) {}

  @EventPattern(TOPICS.executions)
  async onExecute(@Payload() message: ExecuteServiceCall): Promise<void> {
    await this.handler.handle(message);
  }
}
