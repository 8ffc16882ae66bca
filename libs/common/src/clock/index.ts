export * from './clock';
export * from './wakeable-sleep';
