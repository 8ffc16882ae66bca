import { LogLevel } from '@app/common/config';
import { databaseReadiness } from '@app/common/database';
import { consumerReadiness, KafkaConsumerServer } from '@app/common/messaging';
import { HttpRequestMetrics, loggerModule, OpsController, READINESS_CHECKS } from '@app/common/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ProcessSchedulerCommandsHandler } from './commands/process-scheduler-commands.handler';
import { SchedulerCommandsController } from './commands/scheduler-commands.controller';
import { PostgresEventStore } from './event-store/postgres-event-store';
import { TIMER_LEAD_MS } from './timers/timer-lead';

export interface SchedulerCoreDependencies {
  readonly dataSource: DataSource;
  readonly consumer: KafkaConsumerServer;
  /** SCHEDULER_TIMER_LEAD_MS */
  readonly timerLeadMs: number;
  readonly logLevel: LogLevel;
}

const Controllers = [SchedulerCommandsController, OpsController];

const CommandHandlers = [ProcessSchedulerCommandsHandler];

@Module({})
export class SchedulerCoreModule {
  static register({ dataSource, consumer, timerLeadMs, logLevel }: SchedulerCoreDependencies): DynamicModule {
    return {
      module: SchedulerCoreModule,
      imports: [CqrsModule.forRoot(), loggerModule('scheduler-core', logLevel)],
      controllers: Controllers,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: TIMER_LEAD_MS, useValue: timerLeadMs },
        { provide: READINESS_CHECKS, useValue: [databaseReadiness(dataSource), consumerReadiness(consumer)] },
        HttpRequestMetrics,
        PostgresEventStore,
        ...CommandHandlers,
      ],
    };
  }
}
