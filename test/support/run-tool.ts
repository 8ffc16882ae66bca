import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../tools/infra/project-root';

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a compiled tool (dist/tools/...) as the image would run it: `node dist/tools/<path>`, with the given environment. */
export function runTool(
  path: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [join(projectRoot(), 'dist/tools', path), ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
