import { backlogGrowthPerSecond } from './backlog-growth';
import { highestSustainedRate, isSustained, RateVerdictInput } from './sustained-rate';

const rate = (offeredRate: number, over: Partial<RateVerdictInput> = {}): RateVerdictInput => ({
  offeredRate,
  offered: offeredRate * 30,
  completedInWindow: offeredRate * 30,
  backlogGrowthPerSecond: 0,
  p99ToTargetMs: 200,
  ...over,
});

describe('isSustained', () => {
  it('passes a rate that keeps pace with a p99 under a second', () => {
    expect(isSustained(rate(100, { completedInWindow: 2_910 }))).toBe(true);
  });

  it('fails when under 97 % completed in the window', () => {
    expect(isSustained(rate(100, { completedInWindow: 2_900 }))).toBe(false);
  });

  it('fails when the backlog grows', () => {
    expect(isSustained(rate(100, { backlogGrowthPerSecond: 5 }))).toBe(false);
  });

  it('fails when p99 to target is over a second or unknown', () => {
    expect(isSustained(rate(100, { p99ToTargetMs: 1_001 }))).toBe(false);
    expect(isSustained(rate(100, { p99ToTargetMs: null }))).toBe(false);
  });
});

describe('highestSustainedRate', () => {
  it('takes the highest passing rate, even above a failing one', () => {
    expect(
      highestSustainedRate([rate(50), rate(100), rate(200, { p99ToTargetMs: 3_000 }), rate(500, { completedInWindow: 10 })]),
    ).toBe(100);
  });

  it('is null when nothing passes', () => {
    expect(highestSustainedRate([rate(50, { p99ToTargetMs: 5_000 })])).toBeNull();
  });
});

describe('backlogGrowthPerSecond', () => {
  it('is zero for a flat backlog', () => {
    expect(backlogGrowthPerSecond([0, 1, 2, 3, 4].map((s) => ({ atMs: s * 1000, backlog: 7 })))).toBe(0);
  });

  it('measures a steady rise over the second half', () => {
    const samples = Array.from({ length: 11 }, (_, s) => ({ atMs: s * 1000, backlog: s < 5 ? 3 : 3 + (s - 5) * 20 }));
    expect(backlogGrowthPerSecond(samples)).toBe(20);
  });

  it('is zero with too few samples', () => {
    expect(backlogGrowthPerSecond([{ atMs: 0, backlog: 5 }])).toBe(0);
  });
});
