export * from './start-tracing';
export * from './tracer';
export * from './trace-context-registry';
export * from './traceparent';
