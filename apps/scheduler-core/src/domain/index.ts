export * from './decide';
export * from './decision';
export * from './evolve';
export * from './service-call.commands';
export * from './service-call.state';
