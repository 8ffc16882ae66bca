import { CreateGatewayTables1764000000001 } from './1764000000001-create-gateway-tables';
import { OutboxSetAside1764000000002 } from './1764000000002-outbox-set-aside';
import { OutboxTraceparent1764000000003 } from './1764000000003-outbox-traceparent';

export const GATEWAY_MIGRATIONS = [
  CreateGatewayTables1764000000001,
  OutboxSetAside1764000000002,
  OutboxTraceparent1764000000003,
];
