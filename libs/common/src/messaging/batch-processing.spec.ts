import { BatchProcessingSteps, processBatch } from './batch-processing';
import { RetryPolicy } from './retry-policy';

const POLICY: RetryPolicy = { poisonAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1_000 };

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const rebalancing = () =>
  Object.assign(new Error('The group is rebalancing'), {
    name: 'KafkaJSProtocolError',
    retriable: true,
    type: 'REBALANCE_IN_PROGRESS',
  });

/**
 * Fake steps around a handler: the clock only moves when the processor sleeps, and every call is
 * recorded, so a test reads what was handled, dead-lettered, slept and heartbeaten.
 */
class Harness {
  now = 1_000_000;
  readonly handled: string[][] = [];
  readonly applied: string[] = [];
  readonly deadLetters: { item: string; error: unknown; attempts: number }[] = [];
  readonly sleeps: number[] = [];
  readonly retries: { attempt: number; items: readonly string[]; transient: boolean }[] = [];
  heartbeats = 0;
  active = true;
  heartbeat: () => Promise<void> = async () => undefined;
  deadLetter: (item: string) => Promise<void> = async () => undefined;

  constructor(private readonly handler: (items: readonly string[], call: number) => void) {}

  readonly steps: BatchProcessingSteps<string> = {
    handle: async (items) => {
      this.handled.push([...items]);
      this.handler(items, this.handled.length);
      this.applied.push(...items);
    },
    deadLetter: async (item, error, attempts) => {
      await this.deadLetter(item);
      this.deadLetters.push({ item, error, attempts });
    },
    isActive: () => this.active,
    heartbeat: async () => {
      this.heartbeats += 1;
      await this.heartbeat();
    },
    onRetry: (_error, attempt, items, transient) => this.retries.push({ attempt, items, transient }),
    sleep: async (ms) => {
      this.sleeps.push(ms);
      this.now += ms;
    },
  };

  run(items: readonly string[], policy = POLICY) {
    return processBatch(items, this.steps, policy);
  }
}

describe('processBatch', () => {
  let harness: Harness;
  const withHarness = (handler: (items: readonly string[], call: number) => void) => (harness = new Harness(handler));

  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => harness?.now ?? 0);
  });

  afterEach(() => jest.restoreAllMocks());

  it('applies the whole batch in one call when the handler succeeds', async () => {
    const h = withHarness(() => undefined);
    expect(await h.run(['a', 'b', 'c'])).toBe('done');
    expect(h.handled).toEqual([['a', 'b', 'c']]);
    expect(h.deadLetters).toEqual([]);
    expect(h.retries).toEqual([]);
    expect(h.sleeps).toEqual([]);
  });

  it('retries the same whole batch after transient faults, then applies it once', async () => {
    const h = withHarness((_items, call) => {
      if (call === 1) throw connectionRefused();
      if (call === 2) throw Object.assign(new Error('connection failure'), { code: '08006' });
      if (call === 3) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    expect(await h.run(['a', 'b', 'c'])).toBe('done');
    expect(h.handled).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(h.applied).toEqual(['a', 'b', 'c']);
    expect(h.deadLetters).toEqual([]);
    expect(h.retries.map((r) => [r.attempt, r.transient])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    // Backoff 100, 200, 400 ms (sleeps are cut in slices of at most a second, with a heartbeat after each).
    expect(h.sleeps).toEqual([100, 200, 400]);
    expect(h.heartbeats).toBe(3);
  });

  it('never dead-letters on a transient fault however long it lasts, and caps the backoff', async () => {
    const h = withHarness((_items, call) => {
      if (call <= 60) throw connectionRefused();
    });
    expect(await h.run(['a', 'b'])).toBe('done');
    expect(h.handled).toHaveLength(61);
    expect(h.handled.every((items) => items.join() === 'a,b')).toBe(true);
    expect(h.deadLetters).toEqual([]);
    expect(Math.max(...h.sleeps)).toBe(POLICY.maxBackoffMs);
    expect(h.retries.every((r) => r.transient)).toBe(true);
  });

  it('splits a batch around a poison message: only that one is dead-lettered after poisonAttempts tries alone, with its own error', async () => {
    const poisonError = new Error('payload breaks the schema');
    const h = withHarness((items) => {
      if (items.includes('b')) throw poisonError;
    });
    expect(await h.run(['a', 'b', 'c'])).toBe('done');
    expect(h.applied).toEqual(['a', 'c']);
    expect(h.deadLetters).toEqual([{ item: 'b', error: poisonError, attempts: POLICY.poisonAttempts }]);
    const alone = h.handled.filter((items) => items.length === 1);
    expect(alone).toEqual([['a'], ['b'], ['b'], ['b'], ['c']]);
    expect(h.handled[0]).toEqual(['a', 'b', 'c']);
    // Backoff between the poison's own tries only, never for the messages that apply.
    expect(h.sleeps).toEqual([100, 200]);
  });

  it('keeps order when splitting: messages before and after the poison apply in batch order', async () => {
    const h = withHarness((items) => {
      if (items.includes('p1') || items.includes('p2')) throw new Error('poison');
    });
    expect(await h.run(['a', 'p1', 'b', 'p2', 'c'])).toBe('done');
    expect(h.applied).toEqual(['a', 'b', 'c']);
    expect(h.deadLetters.map((d) => d.item)).toEqual(['p1', 'p2']);
  });

  it('does not dead-letter a message whose error turns out transient while it is tried alone', async () => {
    let failures = 0;
    const h = withHarness((items) => {
      if (items.length > 1) throw new Error('one of them is bad');
      if (items[0] === 'b' && failures++ < 5) throw connectionRefused();
    });
    expect(await h.run(['a', 'b', 'c'])).toBe('done');
    expect(h.applied).toEqual(['a', 'b', 'c']);
    expect(h.deadLetters).toEqual([]);
  });

  it('treats a message that fails once and then succeeds alone as handled, not poison', async () => {
    let failed = false;
    const h = withHarness((items) => {
      if (items.includes('b') && !failed) {
        failed = true;
        throw new Error('flaky');
      }
    });
    expect(await h.run(['a', 'b', 'c'])).toBe('done');
    expect(h.applied).toEqual(['a', 'b', 'c']);
    expect(h.deadLetters).toEqual([]);
  });

  // Off by one for a batch of one: the whole-batch try is already a try of the message alone, and
  // then applyOne tries it poisonAttempts more times, while the DLQ record says poisonAttempts.
  it('tries a lone poison message exactly poisonAttempts times before dead-lettering it', async () => {
    const h = withHarness(() => {
      throw new Error('poison');
    });
    expect(await h.run(['only'])).toBe('done');
    expect(h.deadLetters.map((d) => [d.item, d.attempts])).toEqual([['only', POLICY.poisonAttempts]]);
    expect(h.handled).toHaveLength(POLICY.poisonAttempts);
  });

  it('dead-letters a lone poison message (whatever the count) and reports done', async () => {
    const h = withHarness(() => {
      throw new Error('poison');
    });
    expect(await h.run(['only'])).toBe('done');
    expect(h.deadLetters.map((d) => [d.item, (d.error as Error).message, d.attempts])).toEqual([
      ['only', 'poison', POLICY.poisonAttempts],
    ]);
    expect(h.applied).toEqual([]);
  });

  it('keeps trying to dead-letter while the broker is away: the poison message is never dropped', async () => {
    const h = withHarness((items) => {
      if (items.includes('b')) throw new Error('poison');
    });
    let refusals = 0;
    h.deadLetter = async () => {
      if (refusals++ < 4) throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
    };
    expect(await h.run(['a', 'b', 'c'])).toBe('done');
    expect(h.deadLetters.map((d) => d.item)).toEqual(['b']);
    expect(refusals).toBe(5);
    expect(h.applied).toEqual(['a', 'c']);
  });

  it('abandons the batch (nothing dead-lettered, nothing more handled) once the partition is taken away during transient retries', async () => {
    const h = withHarness((_items, call) => {
      if (call === 3) h.active = false;
      throw connectionRefused();
    });
    expect(await h.run(['a', 'b'])).toBe('abandoned');
    expect(h.handled).toHaveLength(3);
    expect(h.deadLetters).toEqual([]);
  });

  it("abandons without dead-lettering when the partition is taken away between a poison message's tries", async () => {
    const h = withHarness((items, call) => {
      if (call === 3) h.active = false;
      if (items.includes('b')) throw new Error('poison');
    });
    expect(await h.run(['a', 'b', 'c'])).toBe('abandoned');
    expect(h.deadLetters).toEqual([]);
    expect(h.applied).toEqual(['a']);
  });

  it('does nothing when the consumer is already stopping', async () => {
    const h = withHarness(() => undefined);
    h.active = false;
    expect(await h.run(['a'])).toBe('abandoned');
    expect(h.handled).toEqual([]);
  });

  it('gives the batch up uncommitted, never dead-lettered, when a heartbeat fails during the backoff (the member must rejoin)', async () => {
    const h = withHarness((_items, call) => {
      if (call <= 3) throw connectionRefused();
    });
    h.heartbeat = async () => {
      throw rebalancing();
    };
    expect(await h.run(['a', 'b'])).toBe('abandoned');
    expect(h.heartbeats).toBe(1);
    expect(h.deadLetters).toEqual([]);
  });

  it("abandons (never dead-letters) when a heartbeat fails for good during a poison message's backoff", async () => {
    const h = withHarness((items) => {
      if (items.includes('b')) throw new Error('poison');
    });
    h.heartbeat = async () => {
      throw Object.assign(new Error('The coordinator is not aware of this member'), {
        name: 'KafkaJSProtocolError',
        retriable: false,
        type: 'UNKNOWN_MEMBER_ID',
      });
    };
    expect(await h.run(['a', 'b', 'c'])).toBe('abandoned');
    expect(h.deadLetters).toEqual([]);
    // The heartbeat's error is never recorded as the message's error.
    expect(h.retries.every((r) => r.items.length > 0)).toBe(true);
  });

  it('a heartbeat error while a transient fault is retried does not become the handler error or a dead letter', async () => {
    const h = withHarness((_items, call) => {
      if (call === 1) throw connectionRefused();
    });
    let beats = 0;
    h.heartbeat = async () => {
      if (beats++ === 0)
        throw Object.assign(new Error('heartbeat: connection closed'), { name: 'KafkaJSConnectionClosedError' });
    };
    // Given up uncommitted (it is read again after the member rejoins), never dead-lettered.
    expect(await h.run(['a'])).toBe('abandoned');
    expect(h.applied).toEqual([]);
    expect(h.deadLetters).toEqual([]);
  });

  it('heartbeats at least once a second while it waits a long backoff', async () => {
    const h = withHarness((_items, call) => {
      if (call <= 8) throw connectionRefused();
    });
    expect(await h.run(['a'], { poisonAttempts: 3, initialBackoffMs: 500, maxBackoffMs: 5_000 })).toBe('done');
    expect(Math.max(...h.sleeps)).toBeLessThanOrEqual(1_000);
    expect(h.heartbeats).toBe(h.sleeps.length);
  });
});
