import { dueBy, openLoopOffsets } from './open-loop-schedule';

describe('openLoopOffsets', () => {
  it('spaces rate × seconds calls evenly from zero', () => {
    const offsets = openLoopOffsets(4, 2);
    expect(offsets).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('gives nothing for a zero rate or duration', () => {
    expect(openLoopOffsets(0, 10)).toEqual([]);
    expect(openLoopOffsets(10, 0)).toEqual([]);
  });

  it('handles rates that do not divide a second', () => {
    const offsets = openLoopOffsets(3, 1);
    expect(offsets).toHaveLength(3);
    expect(offsets[2]).toBeCloseTo(666.667, 2);
  });
});

describe('dueBy', () => {
  it('counts offsets strictly before the elapsed time', () => {
    const offsets = openLoopOffsets(10, 1);
    expect(dueBy(offsets, 0)).toBe(0);
    expect(dueBy(offsets, 1)).toBe(1);
    expect(dueBy(offsets, 500)).toBe(5);
    expect(dueBy(offsets, 10_000)).toBe(10);
  });
});
