import { LoadedStream, streamKey } from './plan-command-batch';

/** Enough for the calls in flight at a few thousand a second; a scheduled call evicted is read when its timer fires. */
export const STREAM_CACHE_CAPACITY = 10_000;

const FINISHED = new Set(['Succeeded', 'Failed', 'Cancelled']);

/**
 * The streams of calls in flight as this process's appends left them, so that a batch of commands
 * on them is decided without reading them first. Only a hint: every append states the version it
 * expects, so a stream that moved on elsewhere (another consumer of its partition, after a
 * rebalance) fails its guard and is read again. A call that finished, or never began, is not kept:
 * a command on it is rare and read. The oldest entry goes first when the cache is full.
 */
export class StreamCache {
  private readonly streams = new Map<string, LoadedStream>();

  constructor(private readonly capacity = STREAM_CACHE_CAPACITY) {}

  get(key: string): LoadedStream | undefined {
    return this.streams.get(key);
  }

  /** Keeps the stream unless what is held is newer (two batches of one stream may finish out of order). */
  remember(stream: LoadedStream): void {
    const key = streamKey(stream.ref);
    const held = this.streams.get(key);
    if (held && held.version > stream.version) return;
    this.streams.delete(key);
    if (stream.state.status === 'Initial' || FINISHED.has(stream.state.status)) return;
    this.streams.set(key, stream);
    if (this.streams.size > this.capacity) this.streams.delete(this.streams.keys().next().value!);
  }

  forget(key: string): void {
    this.streams.delete(key);
  }

  get size(): number {
    return this.streams.size;
  }
}
