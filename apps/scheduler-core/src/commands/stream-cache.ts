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
  private readonly streams = new Map<string, { readonly stream: LoadedStream; readonly bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = STREAM_CACHE_MAX_BYTES) {}

  get(key: string): LoadedStream | undefined {
    return this.streams.get(key)?.stream;
  }

  /** Keeps the stream unless what is held is newer (two batches of one stream may finish out of order). */
  remember(stream: LoadedStream): void {
    const key = streamKey(stream.ref);
    const held = this.streams.get(key);
    if (held && held.stream.version > stream.version) return;
    this.forget(key);
    if (stream.state.status === 'Initial' || FINISHED.has(stream.state.status)) return;
    const bytes = approximateBytes(stream.state);
    this.streams.set(key, { stream, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.streams) {
      if (this.bytes <= this.maxBytes) break;
      this.forget(oldest);
    }
  }

  forget(key: string): void {
    const held = this.streams.get(key);
    if (!held) return;
    this.streams.delete(key);
    this.bytes -= held.bytes;
  }

  get size(): number {
    return this.streams.size;
  }
}

/** A state's memory is mostly its sealed target (the request body, encrypted) and its URL. */
function approximateBytes(state: ServiceCallState): number {
  if (state.status === 'Initial') return STATE_OVERHEAD_BYTES;
  return state.call.sealedTarget.ciphertext.length + state.call.target.url.length + STATE_OVERHEAD_BYTES;
}
