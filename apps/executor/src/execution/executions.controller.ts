import { ExecuteServiceCall, TOPICS } from '@app/common/contracts';
import { BatchOutcome, ConsumedMessage, KafkaHandlerErrorFilter } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ExecuteServiceCallsHandler } from './execute-service-calls.handler';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class ExecutionsController {
  constructor(private readonly handler: ExecuteServiceCallsHandler) {}

  /** Returns once the batch's attempts are journalled; the transport follows each call's completion. */
  @EventPattern(TOPICS.executions)
  async onExecute(@Payload() batch: readonly ConsumedMessage<ExecuteServiceCall>[]): Promise<BatchOutcome> {
    return this.handler.handle(batch.map((m) => m.envelope));
  }
}
