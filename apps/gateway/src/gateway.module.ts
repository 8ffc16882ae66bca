import { Clock, systemClockProvider } from '@app/common/clock';
import { LogLevel } from '@app/common/config';
import { databaseReadiness } from '@app/common/database';
import { HttpRequestMetrics, loggerModule, OpsController, READINESS_CHECKS } from '@app/common/observability';
import { TargetSealer } from '@app/common/secrets';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeys } from './auth/api-keys';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { ServiceCallCancellations } from './service-calls/service-call-cancellations';
import { ServiceCallQueries } from './service-calls/service-call-queries';
import { ServiceCallSubmissions } from './service-calls/service-call-submissions';
import { ServiceCallsHttpController } from './service-calls/service-calls.http.controller';

export interface GatewayDependencies {
  readonly dataSource: DataSource;
  readonly apiKeys: ApiKeys;
  readonly sealer: TargetSealer;
  readonly logLevel: LogLevel;
}

const Controllers = [ServiceCallsHttpController, OpsController];

/** The use cases behind the controller; they answer with outcomes, never with HTTP. */
const Services: Provider[] = [
  {
    provide: ServiceCallQueries,
    useFactory: (dataSource: DataSource) => new ServiceCallQueries(dataSource),
    inject: [DataSource],
  },
  {
    provide: ServiceCallSubmissions,
    useFactory: (dataSource: DataSource, sealer: TargetSealer, log: PinoLogger, clock: Clock) => {
      log.setContext(ServiceCallSubmissions.name);
      return new ServiceCallSubmissions(dataSource, sealer, log, clock);
    },
    inject: [DataSource, TargetSealer, PinoLogger, Clock],
  },
  {
    provide: ServiceCallCancellations,
    useFactory: (dataSource: DataSource, queries: ServiceCallQueries, clock: Clock) =>
      new ServiceCallCancellations(dataSource, queries, clock),
    inject: [DataSource, ServiceCallQueries, Clock],
  },
];

const Http: Provider[] = [ApiKeyGuard, { provide: APP_FILTER, useClass: ApiExceptionFilter }, HttpRequestMetrics];

@Module({})
export class GatewayModule {
  static register({ dataSource, apiKeys, sealer, logLevel }: GatewayDependencies): DynamicModule {
    return {
      module: GatewayModule,
      imports: [loggerModule('gateway', logLevel)],
      controllers: Controllers,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: ApiKeys, useValue: apiKeys },
        { provide: TargetSealer, useValue: sealer },
        { provide: READINESS_CHECKS, useValue: [databaseReadiness(dataSource)] },
        systemClockProvider,
        ...Http,
        ...Services,
      ],
    };
  }
}
