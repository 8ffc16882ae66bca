import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_NODE_VERSION, imageNodeBinary } from '../../tools/infra/image-node';
import { projectRoot } from '../../tools/infra/project-root';

/** The Node line docker/Dockerfile builds the image on by default (`ARG NODE_IMAGE=node:<major>-…`). */
function imageNodeLine(dockerfile: string): string | undefined {
  return /^ARG\s+NODE_IMAGE=node:(\d+)\b/m.exec(dockerfile)?.[1];
}

describe('the Node release the bench runs on (tools/infra/image-node.ts)', () => {
  it('is of the line the image is built on', () => {
    const dockerfile = readFileSync(join(projectRoot(), 'docker/Dockerfile'), 'utf8');
    expect(imageNodeLine(dockerfile)).toBe(IMAGE_NODE_VERSION.split('.')[0]);
  });

  it('reads that line only from the NODE_IMAGE default', () => {
    expect(imageNodeLine('ARG NODE_IMAGE=node:22-bookworm-slim\nFROM ${NODE_IMAGE}')).toBe('22');
    expect(imageNodeLine('FROM node:24-bookworm-slim')).toBeUndefined();
  });

  it('is fetched from the npm registry, checked against its pinned integrity, and runs', () => {
    const node = imageNodeBinary();
    expect(execFileSync(node, ['-p', 'process.version'], { encoding: 'utf8' }).trim()).toBe(`v${IMAGE_NODE_VERSION}`);
  }, 180_000);
});
