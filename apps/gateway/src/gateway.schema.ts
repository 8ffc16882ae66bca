/** The Postgres schema the gateway owns. */
export const GATEWAY_SCHEMA = 'gateway';
