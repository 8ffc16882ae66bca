import { bucketQuantile, hopLatencies, hopSnapshotOf } from './hop-latency';

/** A /metrics answer with one series of each hop histogram (buckets 0.001, 0.01, +Inf). */
const exposition = (
  outbox: [number, number, number],
  age: [number, number, number],
) => `# HELP scheduler_outbox_publish_delay_seconds x
# TYPE scheduler_outbox_publish_delay_seconds histogram
scheduler_outbox_publish_delay_seconds_bucket{le="0.001",outbox="gateway"} ${outbox[0]}
scheduler_outbox_publish_delay_seconds_bucket{le="0.01",outbox="gateway"} ${outbox[1]}
scheduler_outbox_publish_delay_seconds_bucket{le="+Inf",outbox="gateway"} ${outbox[2]}
scheduler_outbox_publish_delay_seconds_sum{outbox="gateway"} 1
scheduler_outbox_publish_delay_seconds_count{outbox="gateway"} ${outbox[2]}
scheduler_message_age_seconds_bucket{le="0.001",group="scheduler-core",topic="scheduler.commands.v1"} ${age[0]}
scheduler_message_age_seconds_bucket{le="0.01",group="scheduler-core",topic="scheduler.commands.v1"} ${age[1]}
scheduler_message_age_seconds_bucket{le="+Inf",group="scheduler-core",topic="scheduler.commands.v1"} ${age[2]}
scheduler_consumer_batch_size_bucket{le="1",group="scheduler-core"} 7
`;

describe('bucketQuantile', () => {
  it('interpolates within the bucket holding the rank, from 0 for the first, as histogram_quantile does', () => {
    const buckets: [number, number][] = [
      [0.01, 50],
      [0.1, 90],
      [Infinity, 100],
    ];
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.01);
    expect(bucketQuantile(0.25, buckets)).toBeCloseTo(0.005);
    expect(bucketQuantile(0.7, buckets)).toBeCloseTo(0.055);
  });

  it('gives the highest finite bound for a rank in +Inf, and nothing without observations', () => {
    expect(
      bucketQuantile(0.99, [
        [0.01, 50],
        [0.1, 90],
        [Infinity, 100],
      ]),
    ).toBe(0.1);
    expect(bucketQuantile(0.5, [[Infinity, 0]])).toBeNull();
  });
});

describe('hopLatencies', () => {
  it("names each hop by its outbox or its topic and group, sums the apps' series and keeps only the window", () => {
    const before = hopSnapshotOf([exposition([10, 10, 10], [0, 0, 0])]);
    const after = hopSnapshotOf([exposition([10, 110, 110], [40, 100, 100]), exposition([0, 0, 0], [0, 100, 100])]);
    const hops = hopLatencies(before, after);
    expect(hops.map((h) => [h.hop, h.messages])).toEqual([
      ['gateway outbox → broker', 100],
      ['scheduler.commands.v1 → scheduler-core', 200],
    ]);
    // The window's 100 outbox rows all fell between 1 and 10 ms: the ones before it do not pull p50 down.
    expect(hops[0].p50Ms).toBe(5.5);
    // 40 of 200 within 1 ms, the other 160 between 1 and 10 ms.
    expect(hops[1].p50Ms).toBe(4.4);
    expect(hops[1].p99Ms).toBe(9.9);
  });

  it("names a scheduled call's timer steps, which carry no labels", () => {
    const timers = (fired: number, started: number) => `scheduler_timer_lateness_seconds_bucket{le="0.01"} ${fired}
scheduler_timer_lateness_seconds_bucket{le="+Inf"} ${fired}
scheduler_call_start_lateness_seconds_bucket{le="0.005"} 0
scheduler_call_start_lateness_seconds_bucket{le="0.01"} ${started}
scheduler_call_start_lateness_seconds_bucket{le="+Inf"} ${started}
`;
    const hops = hopLatencies(hopSnapshotOf([timers(0, 0)]), hopSnapshotOf([timers(30, 20)]));
    expect(hops).toEqual([
      { hop: 'dueAt → executor start', messages: 20, p50Ms: 7.5, p99Ms: 10 },
      { hop: 'timer hand-over time → fired', messages: 30, p50Ms: 5, p99Ms: 9.9 },
    ]);
  });

  it('leaves out hops nothing crossed in the window', () => {
    const same = hopSnapshotOf([exposition([5, 5, 5], [1, 2, 3])]);
    expect(hopLatencies(same, same)).toEqual([]);
  });
});
