import { spawn } from 'node:child_process';
import { IMAGE_NODE_VERSION, imageNodeBinary } from '../infra/image-node';
import { withParentDeathSignal } from '../infra/owned-process';
import { BenchNode } from './bench-settings';

/**
 * The bench measures what operators deploy, so by default it runs on the Node release the image
 * runs: the apps and the peers' workers are started with the bench's own Node. On another release
 * this process fetches that one and runs the same command under it; it resolves to the exit code
 * of that run, or to undefined when the run goes on here.
 */
export async function handOverToImageNode(node: BenchNode, say: (line: string) => void): Promise<number | undefined> {
  if (node === 'host') return undefined;
  const binary = withHint(() => imageNodeBinary(say));
  if (binary === process.execPath) return undefined;
  say(
    `this is Node ${process.version}; the image runs ${IMAGE_NODE_VERSION}, so the bench runs under ${binary} (BENCH_NODE=host stays here)`,
  );
  const [file, args] = withParentDeathSignal(binary, [...process.execArgv, ...process.argv.slice(1)], 'SIGTERM');
  const run = spawn(file, args, { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    run.once('error', reject);
    run.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function withHint<T>(fetch: () => T): T {
  try {
    return fetch();
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} (BENCH_NODE=host runs the bench on this Node)`,
      { cause: error },
    );
  }
}
