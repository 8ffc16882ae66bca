import { summarize } from './percentiles';

describe('summarize', () => {
  it('gives nearest-rank p50, p99 and max', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(summarize(values)).toEqual({ count: 200, p50: 100, p99: 198, max: 200 });
  });

  it('handles a single value', () => {
    expect(summarize([7])).toEqual({ count: 1, p50: 7, p99: 7, max: 7 });
  });
});

describe('summarize an empty sample', () => {
  it('gives nulls rather than inventing figures', () => {
    expect(summarize([])).toEqual({ count: 0, p50: null, p99: null, max: null });
  });
});
