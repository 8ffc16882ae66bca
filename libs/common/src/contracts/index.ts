export * from './commands';
export * from './envelope';
export * from './events';
export * from './executions';
export * from './service-call-target';
export * from './topics';
export * from './new-envelope';
