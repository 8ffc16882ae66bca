/** The Postgres schema scheduler-core owns. */
export const SCHEDULER_CORE_SCHEMA = 'scheduler_core';
