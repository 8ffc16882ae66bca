export * from './log';
export * from './metrics';
export * from './health.controller';
export * from './logger.module';
export * from './readiness';
export * from './request-id';
