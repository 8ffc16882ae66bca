import { timerLeadSeconds } from './timer-lead';

describe('timerLeadSeconds', () => {
  it('keeps the configured lead when submitting is fast enough', () => {
    expect(timerLeadSeconds(5_000, 1_000, 90)).toBe(90);
  });

  it('stretches the lead when the API accepts slowly', () => {
    expect(timerLeadSeconds(5_000, 50, 90)).toBe(160);
  });

  it('falls back to ten minutes when the pilot accepted nothing', () => {
    expect(timerLeadSeconds(5_000, 0, 90)).toBe(600);
  });
});
