import { RecencyBoundedMap } from '@app/common/collections';
import { ServiceCallState } from '../domain';
import { LoadedStream, streamKey } from './plan-command-batch';

/**
 * About 10,000 calls in flight with small targets, and never more than this much memory whatever
 * their bodies (up to GATEWAY_BODY_LIMIT_BYTES each). A scheduled call evicted is read when due.
 */
export const STREAM_CACHE_MAX_BYTES = 32 * 1024 * 1024;

/** Objects, ids, timestamps and tags of a state, beyond its sealed target and URL. */
const STATE_OVERHEAD_BYTES = 2048;

const FINISHED = new Set<ServiceCallState['status']>(['Succeeded', 'Failed', 'Cancelled']);

/**
 * The streams of calls in flight as this process's appends left them, so that a batch of commands
 * on them is decided without reading them first. Only a hint: every append states the version it
 * expects, so a stream that moved on elsewhere (another consumer of its partition, after a
 * rebalance) fails its guard and is read again. A call that finished, or never began, is not kept:
 * a command on it is rare and read. The stream remembered longest ago goes first when full.
 */
export class StreamCache {
  private readonly streams: RecencyBoundedMap<LoadedStream>;

  constructor(maxBytes = STREAM_CACHE_MAX_BYTES) {
    this.streams = new RecencyBoundedMap(maxBytes);
  }

  get(key: string): LoadedStream | undefined {
    return this.streams.get(key);
  }

  /** Keeps the stream unless what is held is newer (two batches of one stream may finish out of order). */
  remember(stream: LoadedStream): void {
    const key = streamKey(stream.ref);
    if ((this.streams.get(key)?.version ?? -1) > stream.version) return;
    if (stream.state.status === 'Initial' || FINISHED.has(stream.state.status)) this.streams.delete(key);
    else this.streams.set(key, stream, approximateBytes(stream.state));
  }

  forget(key: string): void {
    this.streams.delete(key);
  }

  get size(): number {
    return this.streams.size;
  }
}

/** A state's memory is mostly its sealed target (the request body, encrypted) and its URL. */
function approximateBytes(state: Exclude<ServiceCallState, { status: 'Initial' }>): number {
  return state.call.sealedTarget.ciphertext.length + state.call.target.url.length + STATE_OVERHEAD_BYTES;
}
