import { RunningService } from './running-service';

/**
 * Waits for services started side by side. If any fails, the others are stopped once they are up,
 * so a failed start leaves nothing running, and the first failure is rethrown.
 */
export async function startTogether(starting: ReadonlyArray<Promise<RunningService>>): Promise<RunningService[]> {
  const settled = await Promise.allSettled(starting);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (!failure) return started;
  await Promise.all(started.map((service) => service.stop().catch(() => undefined)));
  throw failure.reason;
}
