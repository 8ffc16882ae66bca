import { earliestDueAt } from './timer-changes';

const ref = (serviceCallId: string) => ({ tenantId: 'tenant-a', serviceCallId });
const set = (dueAt: string) => ({ kind: 'set' as const, dueAt, correlationId: 'c', causationId: 'm' });

describe('earliestDueAt', () => {
  it('is the earliest dueAt among the timers set, ignoring cleared timers and streams without one', () => {
    const streams = [
      { ref: ref('a'), timer: set('2026-12-07T10:00:02.000Z') },
      { ref: ref('b'), timer: { kind: 'clear' as const } },
      { ref: ref('c') },
      { ref: ref('d'), timer: set('2026-12-07T10:00:01.500Z') },
    ];
    expect(earliestDueAt(streams)).toBe(Date.parse('2026-12-07T10:00:01.500Z'));
  });

  it('keeps an earlier round’s timer when it is sooner, and is undefined when nothing was set', () => {
    const sooner = Date.parse('2026-12-07T09:00:00.000Z');
    expect(earliestDueAt([{ ref: ref('a'), timer: set('2026-12-07T10:00:00.000Z') }], sooner)).toBe(sooner);
    expect(earliestDueAt([{ ref: ref('b'), timer: { kind: 'clear' as const } }])).toBeUndefined();
  });
});
