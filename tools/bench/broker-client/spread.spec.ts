import { showSpread, spread } from './spread';

describe('spread', () => {
  it('gives the median with the lowest and highest value', () => {
    expect(spread([3, 1, 2])).toMatchObject({ median: 2, min: 1, max: 3 });
  });

  it('averages the two middle values of an even count', () => {
    expect(spread([4, 1, 3, 2]).median).toBe(2.5);
  });

  it('reads as median (min–max)', () => {
    expect(showSpread(spread([10.04, 9.96, 12.5]))).toBe('10.0 (10.0–12.5)');
  });
});
