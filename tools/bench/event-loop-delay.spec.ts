import { watchEventLoopDelay } from './event-loop-delay';

const busyFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
const ticks = (n: number) =>
  new Promise<void>((resolve) => {
    let left = n;
    const next = () => (--left <= 0 ? resolve() : setTimeout(next, 30));
    setTimeout(next, 30);
  });

describe('watchEventLoopDelay', () => {
  it('reports a loop held busy as its maximum delay, in milliseconds beyond the sampling interval', async () => {
    const watch = watchEventLoopDelay();
    await ticks(4);
    busyFor(80);
    await ticks(4);
    const delay = watch.stop();
    expect(delay.count).toBeGreaterThan(0);
    // The sample due during the 80 busy ms fires at its end: at least 60 ms late.
    expect(delay.max).toBeGreaterThanOrEqual(55);
    expect(delay.max).toBeLessThan(5_000);
    // The other samples were on time, give or take a busy machine: not 20 ms late, as the raw histogram would say.
    expect(delay.p50).toBeLessThan(15);
  });
});
