import { CreateSchedulerCoreTables1764000000001 } from './1764000000001-create-scheduler-core-tables';

export const SCHEDULER_CORE_MIGRATIONS = [CreateSchedulerCoreTables1764000000001];
