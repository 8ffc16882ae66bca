export * from './redaction';
export * from './sealing-key';
export * from './target-sealer';
