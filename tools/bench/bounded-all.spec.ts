import { boundedAll } from './bounded-all';

describe('boundedAll', () => {
  it('keeps results in index order and never runs more than asked at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await boundedAll(10, 3, async (i) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (10 - i) % 4));
      running -= 1;
      return i * 2;
    });
    expect(results).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(peak).toBe(3);
  });
});
