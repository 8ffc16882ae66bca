import { LogLevel } from '@app/common/config';
import { databaseReadiness } from '@app/common/database';
import { consumerReadiness, KafkaConsumerServer } from '@app/common/messaging';
import { HttpRequestMetrics, loggerModule, OpsController, READINESS_CHECKS } from '@app/common/observability';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { ServiceCallEventsController } from './service-calls/service-call-events.controller';
import { ServiceCallProjectionHandler } from './service-calls/service-call-projection.handler';

export interface ProjectorDependencies {
  readonly dataSource: DataSource;
  readonly consumer: KafkaConsumerServer;
  readonly logLevel: LogLevel;
}

const Controllers = [ServiceCallEventsController, OpsController];

const Handlers: Provider[] = [
  {
    provide: ServiceCallProjectionHandler,
    useFactory: (dataSource: DataSource, log: PinoLogger) => {
      log.setContext(ServiceCallProjectionHandler.name);
      return new ServiceCallProjectionHandler(dataSource, log);
    },
    inject: [DataSource, PinoLogger],
  },
];

@Module({})
export class ProjectorModule {
  static register({ dataSource, consumer, logLevel }: ProjectorDependencies): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [loggerModule('projector', logLevel)],
      controllers: Controllers,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: READINESS_CHECKS, useValue: [databaseReadiness(dataSource), consumerReadiness(consumer)] },
        HttpRequestMetrics,
        ...Handlers,
      ],
    };
  }
}
