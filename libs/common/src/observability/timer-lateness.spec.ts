import { timerLateness } from './metrics';
import { recordTimerLateness } from './timer-lateness';

describe('recordTimerLateness', () => {
  it('observes seconds after dueAt, and an early fire as on time', async () => {
    timerLateness.reset();
    recordTimerLateness(new Date('2026-11-25T10:00:00.000Z'), new Date('2026-11-25T10:00:00.300Z'));
    recordTimerLateness(new Date('2026-11-25T10:00:01.000Z'), new Date('2026-11-25T10:00:00.900Z'));
    const values = (await timerLateness.get()).values;
    expect(values.find((v) => v.metricName === 'scheduler_timer_lateness_seconds_count')?.value).toBe(2);
    expect(values.find((v) => v.metricName === 'scheduler_timer_lateness_seconds_sum')?.value).toBeCloseTo(0.3);
  });
});
