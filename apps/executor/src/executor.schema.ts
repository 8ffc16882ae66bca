/** The Postgres schema the executor owns. */
export const EXECUTOR_SCHEMA = 'executor';
