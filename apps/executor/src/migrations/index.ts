import { CreateExecutorTables1764000000001 } from './1764000000001-create-executor-tables';

export const EXECUTOR_MIGRATIONS = [CreateExecutorTables1764000000001];
