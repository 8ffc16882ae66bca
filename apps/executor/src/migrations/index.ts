import { CreateExecutorTables1764000000001 } from './1764000000001-create-executor-tables';
import { OutboxSetAside1764000000002 } from './1764000000002-outbox-set-aside';
import { AttemptOwner1764000000003 } from './1764000000003-attempt-owner';
import { OutboxTraceparent1764000000004 } from './1764000000004-outbox-traceparent';
import { UnfinishedAttemptsIndex1764000000005 } from './1764000000005-unfinished-attempts-index';

export const EXECUTOR_MIGRATIONS = [
  CreateExecutorTables1764000000001,
  OutboxSetAside1764000000002,
  AttemptOwner1764000000003,
  OutboxTraceparent1764000000004,
  UnfinishedAttemptsIndex1764000000005,
];
