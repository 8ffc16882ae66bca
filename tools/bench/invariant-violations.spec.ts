import { BenchReportData } from './bench-report-data';
import { invariantViolations } from './invariant-violations';

const rate = (offeredRate: number, duplicates: number, notAtTarget: number, refused: Record<string, number> = {}) => ({
  offeredRate,
  duplicates,
  refused,
  lost: { notAtTarget, notCompleted: notAtTarget },
});

describe('invariantViolations', () => {
  it('finds nothing in a clean run', () => {
    expect(invariantViolations({ sweep: { rates: [rate(50, 0, 0)] } } as unknown as BenchReportData)).toEqual([]);
  });

  it('names duplicates, losses and early timers with where they happened', () => {
    const data = {
      sweep: { rates: [rate(50, 0, 0, { 'http 503': 7 }), rate(100, 2, 0)] },
      sameSecondTimers: { duplicates: 0, notAtTarget: 3, early: 1, refused: { 'http 500': 4 } },
      peers: [{ peer: 'pg-boss', mode: 'default', sweep: { rates: [rate(50, 1, 0)] } }],
    } as unknown as BenchReportData;
    expect(invariantViolations(data)).toEqual([
      'scheduler at 100/s: 2 duplicate arrival(s) at the target',
      'same-second timers: 4 submission(s) answered 500',
      'same-second timers: 3 accepted call(s) never reached the target',
      'same-second timers: 1 call(s) reached the target before their dueAt',
      'pg-boss default at 50/s: 1 duplicate arrival(s) at the target',
    ]);
  });
});
