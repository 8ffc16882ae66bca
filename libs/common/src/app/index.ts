export * from './base-logger';
export * from './start-nest-app';
