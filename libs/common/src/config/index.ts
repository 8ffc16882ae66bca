export * from './common-config';
export * from './configuration-error';
export * from './env-readers';
export * from './run-app';
export * from './secrets-config';
