export * from './redaction';
export * from './target-sealer';
