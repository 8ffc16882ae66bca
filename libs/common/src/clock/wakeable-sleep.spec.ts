import { WakeableSleep } from './wakeable-sleep';

describe('WakeableSleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    await Promise.resolve();
    await Promise.resolve();
    return () => done;
  };

  it('ends by itself after the given time', async () => {
    const isDone = await settled(new WakeableSleep().sleep(1_000));
    await jest.advanceTimersByTimeAsync(999);
    expect(isDone()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(isDone()).toBe(true);
  });

  it('ends at once when woken, and leaves no timer behind', async () => {
    const pause = new WakeableSleep();
    const isDone = await settled(pause.sleep(60_000));
    pause.wake();
    await Promise.resolve();
    expect(isDone()).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a wake with no sleep under way does not cut the next sleep short', async () => {
    const pause = new WakeableSleep();
    const first = pause.sleep(10);
    await jest.advanceTimersByTimeAsync(10);
    await first;
    pause.wake();
    const isDone = await settled(pause.sleep(1_000));
    expect(isDone()).toBe(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(isDone()).toBe(true);
  });
});
