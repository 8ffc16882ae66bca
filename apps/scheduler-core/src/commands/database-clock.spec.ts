import { DatabaseClock } from './database-clock';

describe('DatabaseClock', () => {
  it('knows no time until it has read the database', () => {
    expect(new DatabaseClock(30_000, () => 1_000).now()).toBeUndefined();
  });

  it('moves the local clock by the offset measured at the middle of the read', () => {
    let local = 10_000;
    const clock = new DatabaseClock(30_000, () => local);
    // Sent at 10,000, answered at 10,020: the database said 10,510 at about 10,010.
    clock.observe(new Date(10_510), 10_000, 10_020);
    local = 12_000;
    expect(clock.now()?.getTime()).toBe(12_500);
  });

  it('trusts an offset for maxAgeMs after the read, and no longer', () => {
    let local = 0;
    const clock = new DatabaseClock(30_000, () => local);
    clock.observe(new Date(5), 0, 10);
    local = 30_010;
    expect(clock.now()).toBeDefined();
    local = 30_011;
    expect(clock.now()).toBeUndefined();
  });
});
