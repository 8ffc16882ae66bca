export * from './service-call-view';
export * from './service-call-upsert';
