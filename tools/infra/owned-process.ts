import { ChildProcess, execFileSync, spawn, SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface OwnedProcessOptions extends Pick<SpawnOptions, 'cwd' | 'env' | 'stdio' | 'uid' | 'gid'> {
  /** Ends it at once when this command exits without stopping it (SIGKILL for a JVM, SIGQUIT for Postgres). */
  readonly forcedStopSignal: NodeJS.Signals;
  /** Removed, best effort, when this command exits without stopping it. */
  readonly scratchDir?: string;
}

/**
 * Infrastructure processes never outlive the command that started them. Each runs in its own
 * process group (Ctrl-C reaches the command, which stops things in order) and is killed when the
 * command exits, however it exits: on 'exit' here, and on Linux through setpriv's parent-death
 * signal even when the command itself is killed with SIGKILL.
 */
const owned = new Map<ChildProcess, OwnedProcessOptions>();

process.on('exit', () => {
  for (const [child, options] of owned) {
    signalGroup(child, options.forcedStopSignal);
    if (options.scratchDir) rmSync(options.scratchDir, { recursive: true, force: true, maxRetries: 3 });
  }
});

export function spawnOwned(command: string, args: readonly string[], options: OwnedProcessOptions): ChildProcess {
  const [file, argv] = withParentDeathSignal(command, args, options.forcedStopSignal);
  const { forcedStopSignal: _signal, scratchDir: _dir, ...spawnOptions } = options;
  const child = spawn(file, argv, { ...spawnOptions, detached: true });
  owned.set(child, options);
  child.once('exit', () => owned.delete(child));
  child.once('error', () => owned.delete(child));
  return child;
}

/** Sends `signal` to the process and waits for it to exit; SIGKILLs its group after `graceMs`. */
export async function stopOwned(child: ChildProcess, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The command line that runs `command` so it gets `signal` when its parent dies (Linux with setpriv; else unchanged). */
export function withParentDeathSignal(command: string, args: readonly string[], signal: NodeJS.Signals): [string, string[]] {
  return parentDeathSignalAvailable() ? ['setpriv', ['--pdeathsig', signal, '--', command, ...args]] : [command, [...args]];
}

let deathSignalProbe: boolean | undefined;

function parentDeathSignalAvailable(): boolean {
  if (deathSignalProbe === undefined) {
    try {
      execFileSync('setpriv', ['--pdeathsig', 'SIGKILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 });
      deathSignalProbe = true;
    } catch {
      deathSignalProbe = false;
    }
  }
  return deathSignalProbe;
}

/** Settles when the process can no longer become ready: how it ended, in words. */
export function howItEnds(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve(`could not be run (${error.message})`));
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
}
