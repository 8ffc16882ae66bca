export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));

/** Polls `done` every `everyMs` until it holds or `deadline` passes; says whether it held. */
export async function waitUntil(done: () => boolean, deadline: number, everyMs = 50): Promise<boolean> {
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
