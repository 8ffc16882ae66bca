import { ServiceCallEventMessage, TOPICS } from '@app/common/contracts';
import { KafkaHandlerErrorFilter, KafkaMessageContext } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ServiceCallProjectionHandler } from './service-call-projection.handler';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class ServiceCallEventsController {
  constructor(private readonly projection: ServiceCallProjectionHandler) {}

  @EventPattern(TOPICS.events)
  async onEvent(@Payload() message: ServiceCallEventMessage, @Ctx() context: KafkaMessageContext): Promise<void> {
    await this.projection.handle(message, { topic: context.topic, partition: context.partition, offset: context.offset });
  }
}
