import { spawn, SpawnOptions } from 'node:child_process';

export interface WatchedCommand {
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  waitFor(text: string, timeoutMs: number): Promise<void>;
  readonly exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

/** A command run as a user would run it, with its output kept for assertions. */
export function watchCommand(command: string, args: readonly string[], options: SpawnOptions): WatchedCommand {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output: () => output,
    waitFor: async (text, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `${command} ${args.join(' ')} ${child.exitCode !== null ? `exited with ${child.exitCode}` : `ran ${timeoutMs} ms`} without printing "${text}"; it printed:\n${output}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    exited,
    signal: (signal) => {
      child.kill(signal);
    },
  };
}
