import { Envelope } from '../contracts/envelope';
import { recordMessageAges, recordOutboxPublishDelays } from './hop-metrics';
import { messageAge, outboxPublishDelay } from './metrics';

const at = (timestamp: unknown) => ({ envelope: { timestamp } as unknown as Envelope });
const now = Date.parse('2026-12-06T19:00:01.000Z');

async function countAndSum(metric: typeof messageAge | typeof outboxPublishDelay): Promise<[number?, number?]> {
  const values = (await metric.get()).values;
  const named = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value;
  return [named('_count'), named('_sum')];
}

describe('hop metrics', () => {
  beforeEach(() => {
    messageAge.reset();
    outboxPublishDelay.reset();
  });

  it('observe seconds since each envelope was written, a future one as 0', async () => {
    recordMessageAges(
      'scheduler-core',
      'scheduler.commands.v1',
      [at('2026-12-06T19:00:00.750Z'), at('2026-12-06T19:00:01.200Z')],
      now,
    );
    expect(await countAndSum(messageAge)).toEqual([2, 0.25]);
  });

  it('skip a message without a valid timestamp instead of failing its batch', async () => {
    const written = [at(undefined), at('not a time'), at(42), at('2026-12-06T19:00:00.900Z')];
    expect(() => recordOutboxPublishDelays('gateway', written, now)).not.toThrow();
    const [count, sum] = await countAndSum(outboxPublishDelay);
    expect(count).toBe(1);
    expect(sum).toBeCloseTo(0.1);
  });
});
