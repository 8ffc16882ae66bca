import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RunRequest, RunResult } from './scenario';

const CHILD_TIMEOUT_MS = 15 * 60_000;

/** Runs one scenario in a fresh Node process, so one client's CPU time never includes the other's. */
export function runChild(request: RunRequest): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'run-scenario.js'), JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as RunResult);
      else reject(new Error(`${request.client} ${request.scenario.pattern} run failed (exit ${code ?? signal})`));
    });
  });
}
