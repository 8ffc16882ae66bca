import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../infra/project-root';

export interface PeerWorkerProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts peer-worker-main.js from dist/ and waits for its "ready" line. */
export async function startPeerWorkerProcess(
  env: Record<string, string>,
  say: (line: string) => void,
): Promise<PeerWorkerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(projectRoot(), 'dist', 'tools', 'bench', 'peers', 'peer-worker-main.js')],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => say(`  worker: ${chunk.toString().trimEnd()}`));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('peer worker not ready after 60 s')), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`peer worker exited with ${code} before it was ready`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, stop };
}
