export * from './dead-letter';
export * from './ensure-topics';
export * from './envelope-codec';
export * from './kafka-client';
export * from './kafka-consumer-server';
export * from './kafka-message-context';
export * from './retry-policy';
export * from './consumer-readiness';
