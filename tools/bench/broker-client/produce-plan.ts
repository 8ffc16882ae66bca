import { BenchMessage, envelopePool } from './envelope-pool';

/** Batches cycle through the pool, so consecutive batches spread over all ~1,000 keys. */
export function producePlan(batchSize: number, messages: number) {
  const pool = envelopePool();
  const batches = Math.max(1, Math.ceil(messages / batchSize));
  const warmUpBatches = Math.max(5, Math.ceil(batches / 10));
  const batch = (i: number): BenchMessage[] =>
    Array.from({ length: batchSize }, (_, j) => pool[(i * batchSize + j) % pool.length]);
  return { batches, warmUpBatches, batch };
}
