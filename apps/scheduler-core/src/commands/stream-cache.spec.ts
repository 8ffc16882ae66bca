import { ServiceCallSubmittedData } from '@app/common/contracts';
import { ServiceCallState } from '../domain';
import { LoadedStream, streamKey } from './plan-command-batch';
import { StreamCache } from './stream-cache';

const call = { serviceCallId: 'c' } as ServiceCallSubmittedData;
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
    const cache = new StreamCache(2);
    cache.remember(stream('a', 1));
    cache.remember(stream('b', 1));
    cache.remember(stream('a', 2));
    cache.remember(stream('c', 1));
    expect([key('a'), key('b'), key('c')].map((k) => cache.get(k)?.version)).toEqual([2, undefined, 1]);
  });

  it('forgets a stream on request', () => {
    const cache = new StreamCache();
    cache.remember(stream('a', 1));
    cache.forget(key('a'));
    expect(cache.get(key('a'))).toBeUndefined();
  });
});
