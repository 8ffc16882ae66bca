import { CreateSchedulerCoreTables1764000000001 } from './1764000000001-create-scheduler-core-tables';
import { OutboxSetAside1764000000002 } from './1764000000002-outbox-set-aside';
import { TraceContext1764000000003 } from './1764000000003-trace-context';

export const SCHEDULER_CORE_MIGRATIONS = [
  CreateSchedulerCoreTables1764000000001,
  OutboxSetAside1764000000002,
  TraceContext1764000000003,
];
