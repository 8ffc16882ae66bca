import { ServiceCallSubmittedData } from '@app/common/contracts';
import { ServiceCallState } from '../domain';
import { LoadedStream, streamKey } from './plan-command-batch';
import { StreamCache } from './stream-cache';

const call = {
  serviceCallId: 'c',
  target: { url: 'http://127.0.0.1/x' },
  sealedTarget: { ciphertext: 'x'.repeat(1000) },
} as ServiceCallSubmittedData;
/** What one stream of `call` counts for: its ciphertext, URL and the overhead of a state. */
const STREAM_BYTES = 1000 + 18 + 2048;
const running: ServiceCallState = { status: 'Running', call, attempt: 1 };
const stream = (serviceCallId: string, version: number, state: ServiceCallState = running): LoadedStream => ({
  ref: { tenantId: 't', serviceCallId },
  state,
  version,
});
const key = (serviceCallId: string) => streamKey({ tenantId: 't', serviceCallId });

describe('StreamCache', () => {
  it('keeps the newer of two versions of a stream, whichever comes last', () => {
    const cache = new StreamCache();
    cache.remember(stream('a', 3));
    cache.remember(stream('a', 2));
    expect(cache.get(key('a'))?.version).toBe(3);
    cache.remember(stream('a', 4));
    expect(cache.get(key('a'))?.version).toBe(4);
  });

  it('drops a call that finished, and keeps none that never began', () => {
    const cache = new StreamCache();
    cache.remember(stream('a', 2));
    cache.remember(stream('a', 3, { status: 'Succeeded', call, attempt: 1 }));
    cache.remember(stream('b', 0, { status: 'Initial' }));
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.get(key('b'))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('lets the stream remembered longest ago go first when full', () => {
    const cache = new StreamCache(2 * STREAM_BYTES);
    cache.remember(stream('a', 1));
    cache.remember(stream('b', 1));
    cache.remember(stream('a', 2));
    cache.remember(stream('c', 1));
    expect([key('a'), key('b'), key('c')].map((k) => cache.get(k)?.version)).toEqual([2, undefined, 1]);
  });

  it('counts a large request body against its room: one stream with a body as large as the room leaves no other', () => {
    const cache = new StreamCache(10 * STREAM_BYTES);
    cache.remember(stream('a', 1));
    const large = { ...call, sealedTarget: { ...call.sealedTarget, ciphertext: 'x'.repeat(9 * STREAM_BYTES) } };
    cache.remember(stream('b', 1, { status: 'Running', call: large, attempt: 1 }));
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.get(key('b'))?.version).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('forgets a stream on request', () => {
    const cache = new StreamCache();
    cache.remember(stream('a', 1));
    cache.forget(key('a'));
    expect(cache.get(key('a'))).toBeUndefined();
  });
});
