import { sleep } from './sleep';

/**
 * Fires `send(i, intendedAt)` for each offset at `startAt + offset`, never waiting for an answer
 * before the next send, and resolves once every send has settled. The schedule is fixed, so when
 * the system stalls the calls still go out on time and the stall shows in their latency.
 */
export async function driveOpenLoop(
  offsetsMs: readonly number[],
  startAt: number,
  send: (i: number, intendedAt: number) => Promise<void>,
): Promise<void> {
  const sent: Promise<void>[] = [];
  let next = 0;
  while (next < offsetsMs.length) {
    const now = Date.now();
    while (next < offsetsMs.length && startAt + offsetsMs[next] <= now) {
      const i = next++;
      sent.push(send(i, startAt + offsetsMs[i]).catch(() => undefined));
    }
    if (next < offsetsMs.length) await sleep(Math.min(5, Math.max(0, startAt + offsetsMs[next] - Date.now())));
  }
  await Promise.allSettled(sent);
}
