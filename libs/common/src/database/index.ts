export * from './connect-database';
export * from './create-data-source';
export * from './is-unique-violation';
export * from './migrate-schema';
export * from './database-readiness';
export * from './returned-rows';
export * from './is-transient-database-error';
export * from './write-coalescer';
