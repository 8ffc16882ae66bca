import { CreateGatewayTables1764000000001 } from './1764000000001-create-gateway-tables';

export const GATEWAY_MIGRATIONS = [CreateGatewayTables1764000000001];
