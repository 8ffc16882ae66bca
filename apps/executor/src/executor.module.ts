import { randomUUID } from 'node:crypto';
import { Clock, systemClockProvider } from '@app/common/clock';
import { LogLevel } from '@app/common/config';
import { databaseReadiness } from '@app/common/database';
import { consumerReadiness, KafkaConsumerServer } from '@app/common/messaging';
import { HttpRequestMetrics, loggerModule, OpsController, READINESS_CHECKS } from '@app/common/observability';
import { TargetSealer } from '@app/common/secrets';
import { DynamicModule, Module, Provider } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AttemptJournal } from './execution/attempt-journal';
import { FairConcurrencyLimit } from './execution/fair-concurrency-limit';
import { ExecuteServiceCallsHandler } from './execution/execute-service-calls.handler';
import { ResultRecorder } from './execution/result-recorder';
import { ExecutionsController } from './execution/executions.controller';
import { HttpCallExecutor } from './http/http-call-executor';

export interface ExecutorDependencies {
  readonly dataSource: DataSource;
  readonly consumer: KafkaConsumerServer;
  readonly http: HttpCallExecutor;
  readonly sealer: TargetSealer;
  readonly maxInFlight: number;
  /** Of those, at most this many for one tenant's target origin. */
  readonly maxInFlightPerOrigin: number;
  readonly logLevel: LogLevel;
}

const Controllers = [ExecutionsController, OpsController];

const Handlers: Provider[] = [
  {
    provide: ExecuteServiceCallsHandler,
    useFactory: (
      dataSource: DataSource,
      http: HttpCallExecutor,
      sealer: TargetSealer,
      limit: FairConcurrencyLimit,
      log: PinoLogger,
      clock: Clock,
    ) => {
      log.setContext(ExecuteServiceCallsHandler.name);
      const journal = new AttemptJournal(dataSource, randomUUID());
      return new ExecuteServiceCallsHandler(journal, new ResultRecorder(dataSource, log), http, sealer, limit, log, clock);
    },
    inject: [DataSource, HttpCallExecutor, TargetSealer, FairConcurrencyLimit, PinoLogger, Clock],
  },
];

@Module({})
export class ExecutorModule {
  static register({
    dataSource,
    consumer,
    http,
    sealer,
    maxInFlight,
    maxInFlightPerOrigin,
    logLevel,
  }: ExecutorDependencies): DynamicModule {
    return {
      module: ExecutorModule,
      imports: [loggerModule('executor', logLevel)],
      controllers: Controllers,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: HttpCallExecutor, useValue: http },
        { provide: TargetSealer, useValue: sealer },
        { provide: FairConcurrencyLimit, useValue: new FairConcurrencyLimit(maxInFlight, maxInFlightPerOrigin) },
        { provide: READINESS_CHECKS, useValue: [databaseReadiness(dataSource), consumerReadiness(consumer)] },
        systemClockProvider,
        HttpRequestMetrics,
        ...Handlers,
      ],
    };
  }
}
