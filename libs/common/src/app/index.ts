export * from './base-logger';
export * from './start-nest-app';
export * from './app-infrastructure';
