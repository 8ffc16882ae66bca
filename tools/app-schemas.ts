import { EXECUTOR_MIGRATIONS } from '../apps/executor/src/migrations';
import { EXECUTOR_SCHEMA } from '../apps/executor/src/executor.schema';
import { GATEWAY_MIGRATIONS } from '../apps/gateway/src/migrations';
import { GATEWAY_SCHEMA } from '../apps/gateway/src/gateway.schema';
import { PROJECTOR_MIGRATIONS } from '../apps/projector/src/migrations';
import { PROJECTOR_SCHEMA } from '../apps/projector/src/projector.schema';
import { SCHEDULER_CORE_MIGRATIONS } from '../apps/scheduler-core/src/migrations';
import { SCHEDULER_CORE_SCHEMA } from '../apps/scheduler-core/src/scheduler-core.schema';

/** Every app's schema and migrations, for the migration command (and the k8s Job that runs it). */
export const APP_SCHEMAS = [
  { app: 'gateway', schema: GATEWAY_SCHEMA, migrations: GATEWAY_MIGRATIONS },
  { app: 'scheduler-core', schema: SCHEDULER_CORE_SCHEMA, migrations: SCHEDULER_CORE_MIGRATIONS },
  { app: 'executor', schema: EXECUTOR_SCHEMA, migrations: EXECUTOR_MIGRATIONS },
  { app: 'projector', schema: PROJECTOR_SCHEMA, migrations: PROJECTOR_MIGRATIONS },
] as const;
