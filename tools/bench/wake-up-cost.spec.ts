import { wakeUpCpuMicros } from './wake-up-cost';

describe('wakeUpCpuMicros', () => {
  it("measures a fresh process's CPU per timer wake-up, a few to a few hundred microseconds", async () => {
    const micros = await wakeUpCpuMicros(0.5);
    expect(Number.isInteger(micros)).toBe(true);
    expect(micros).toBeGreaterThan(0);
    expect(micros).toBeLessThan(10_000);
  });
});
