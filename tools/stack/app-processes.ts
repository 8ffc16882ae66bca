import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { withParentDeathSignal } from '../infra/owned-process';
import { projectRoot } from '../infra/project-root';

export const APPS = ['gateway', 'scheduler-core', 'executor', 'projector'] as const;
export type AppName = (typeof APPS)[number];

export interface RunningApp {
  readonly name: AppName;
  readonly port: number;
  readonly process: ChildProcess;
  /** The last line the app wrote to stderr: its one line on a failed start (logs go to stdout). */
  readonly lastErrorLine: () => string | undefined;
  /** Resolves once the app has exited and its output has been read to the end. */
  readonly closed: Promise<void>;
}

export interface StartAppsOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly ports: Readonly<Record<AppName, number>>;
  /** Receives every line an app prints, e.g. to prefix and echo it, or to write it to a file. */
  readonly onLine?: (app: AppName, line: string) => void;
  readonly readyTimeoutMs?: number;
}

/**
 * Flags of every app's node, here as in the image and the chart's default `nodeFlags`: none.
 * `--single-threaded-gc` was measured and left optional (ADR-0019).
 */
export const APP_NODE_FLAGS: readonly string[] = [];

/** Starts the four apps as separate Node processes from the compiled dist/ and waits until each is ready. */
export async function startApps(options: StartAppsOptions): Promise<RunningApp[]> {
  const apps = APPS.map((name) => startApp(name, options));
  try {
    await Promise.all(apps.map((app) => waitReady(app, options.readyTimeoutMs ?? 60_000)));
  } catch (error) {
    await stopApps(apps);
    throw error;
  }
  return apps;
}

export function startApp(name: AppName, { env, ports, onLine }: StartAppsOptions): RunningApp {
  const entry = join(projectRoot(), 'dist', 'apps', name, 'src', 'main.js');
  // SCS_CPU_PROFILE_DIR=<dir> writes a V8 CPU profile per app on exit (profiling the bench or the stack).
  const profile = process.env.SCS_CPU_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SCS_CPU_PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
  // An app must not outlive the runner that started it, even one killed with SIGKILL.
  const [file, args] = withParentDeathSignal(process.execPath, [...APP_NODE_FLAGS, ...profile, entry], 'SIGTERM');
  const child = spawn(file, args, {
    env: { ...process.env, ...env, PORT: String(ports[name]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastErrorLine: string | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        onLine?.(name, line);
        if (stream === child.stderr && line.trim() !== '') lastErrorLine = line;
      }
    });
  }
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { name, port: ports[name], process: child, lastErrorLine: () => lastErrorLine, closed };
}

export async function waitReady(app: RunningApp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // What the last probe got, so a start that never gets ready says why.
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (app.process.exitCode !== null) {
      // Its one line may still be in the pipe when the exit is seen.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([app.closed, new Promise((r) => (timer = setTimeout(r, 1_000)))]);
      clearTimeout(timer);
      const why = app.lastErrorLine();
      throw new Error(`${app.name} exited with code ${app.process.exitCode} before it was ready${why ? `: ${why}` : ''}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (error) {
      // not listening yet
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      last = `${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ''}`;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${app.name} was not ready after ${timeoutMs} ms on port ${app.port}; last answer: ${last}`);
}

export async function stopApp(app: RunningApp, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (app.process.exitCode !== null || app.process.signalCode !== null) return;
  const exited = new Promise((r) => app.process.once('exit', r));
  app.process.kill(signal);
  const timer = setTimeout(() => app.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function stopApps(apps: readonly RunningApp[]): Promise<void> {
  await Promise.all(apps.map((app) => stopApp(app)));
}
