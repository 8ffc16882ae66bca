import { LogLevel } from '@app/common/config';
import { databaseReadiness } from '@app/common/database';
import { HttpRequestMetrics, loggerModule, OpsController, READINESS_CHECKS } from '@app/common/observability';
import { TargetSealer } from '@app/common/secrets';
import { DynamicModule, Module } from '@nestjs/common';
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

@Module({})
export class GatewayModule {
  static register({ dataSource, apiKeys, sealer, logLevel }: GatewayDependencies): DynamicModule {
    return {
      module: GatewayModule,
      imports: [loggerModule('gateway', logLevel)],
      controllers: [ServiceCallsHttpController, OpsController],
      providers: [
        HttpRequestMetrics,
        { provide: DataSource, useValue: dataSource },
        { provide: ApiKeys, useValue: apiKeys },
        { provide: READINESS_CHECKS, useValue: [databaseReadiness(dataSource)] },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        ApiKeyGuard,
        { provide: ServiceCallQueries, useFactory: () => new ServiceCallQueries(dataSource) },
        {
          provide: ServiceCallSubmissions,
          useFactory: (log: PinoLogger) => {
            log.setContext(ServiceCallSubmissions.name);
            return new ServiceCallSubmissions(dataSource, sealer, log);
          },
          inject: [PinoLogger],
        },
        { provide: ServiceCallCancellations, useFactory: (q: ServiceCallQueries) => new ServiceCallCancellations(dataSource, q), inject: [ServiceCallQueries] },
      ],
    };
  }
}
