/**
 * A loop's sleep that something else can end early: the loop awaits `sleep(ms)`, and a signal (new
 * work, a stop) calls `wake()`. A wake while no sleep is under way does nothing, so a loop that must
 * not miss one keeps a flag of its own as well.
 */
export class WakeableSleep {
  private end?: () => void;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.end === done) this.end = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.end = done;
    });
  }

  wake(): void {
    this.end?.();
  }
}
