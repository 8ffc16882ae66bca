import { ExecuteServiceCall, TOPICS } from '@app/common/contracts';
import { BatchOutcome, ConsumedMessage, envelopesOfTypes, KafkaHandlerErrorFilter } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExecuteServiceCallsHandler } from './execute-service-calls.handler';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class ExecutionsController {
  constructor(private readonly handler: ExecuteServiceCallsHandler) {}

  /** Refuses a type the executor does not take before any I/O; otherwise returns at once, and the transport follows each call's completion. */
  @EventPattern(TOPICS.executions)
  async onExecute(@Payload() batch: readonly ConsumedMessage[]): Promise<BatchOutcome> {
    return this.handler.handle(envelopesOfTypes<ExecuteServiceCall>(batch, ['ExecuteServiceCall']));
  }
}
