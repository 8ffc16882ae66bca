export * from './service-call-view';
