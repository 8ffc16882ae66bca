/** The Postgres schema the projector owns; the gateway reads service_calls from it. */
export const PROJECTOR_SCHEMA = 'projector';
