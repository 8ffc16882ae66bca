import { ServiceCallEventMessage, TOPICS } from '@app/common/contracts';
import { ConsumedMessage, KafkaHandlerErrorFilter } from '@app/common/messaging';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ServiceCallProjectionHandler } from './service-call-projection.handler';

@Controller()
@UseFilters(KafkaHandlerErrorFilter)
export class ServiceCallEventsController {
  constructor(private readonly projection: ServiceCallProjectionHandler) {}

  @EventPattern(TOPICS.events)
  async onEvents(@Payload() batch: readonly ConsumedMessage<ServiceCallEventMessage>[]): Promise<void> {
    await this.projection.handle(batch);
  }
}
