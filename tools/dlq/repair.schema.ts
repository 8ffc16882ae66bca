/** The Postgres schema of the repair tools: the DLQ replay log. No app reads or writes it. */
export const REPAIR_SCHEMA = 'repair';
