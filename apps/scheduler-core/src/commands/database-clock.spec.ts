import { DatabaseClock } from './database-clock';

describe('DatabaseClock', () => {
  it('knows no time until it has read the database', () => {
    expect(new DatabaseClock(30_000, () => 1_000).now()).toBeUndefined();
  });

  it('carries the last reading forward by the time elapsed since its answer arrived', () => {
    let monotonic = 50;
    const clock = new DatabaseClock(30_000, () => monotonic);
    clock.observe(new Date('2026-12-06T12:00:00.000Z'));
    monotonic = 2_050;
    expect(clock.now()?.toISOString()).toBe('2026-12-06T12:00:02.000Z');
  });

  it('trusts a reading for maxAgeMs after it arrived, and no longer', () => {
    let monotonic = 0;
    const clock = new DatabaseClock(30_000, () => monotonic);
    clock.observe(new Date(5));
    monotonic = 30_000;
    expect(clock.now()?.getTime()).toBe(30_005);
    monotonic = 30_001;
    expect(clock.now()).toBeUndefined();
  });
});
