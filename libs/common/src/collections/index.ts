export * from './recency-bounded-map';
