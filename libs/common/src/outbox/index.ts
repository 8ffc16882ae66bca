export * from './outbox-publisher';
export * from './outbox-table';
export * from './outbox-writer';
export * from './outbox-commit-signal';
export * from './outbox-backlog-monitor';
