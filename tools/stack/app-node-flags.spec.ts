import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../infra/project-root';
import { APP_NODE_FLAGS } from './app-processes';

const read = (path: string) => readFileSync(join(projectRoot(), path), 'utf8');

/** The apps run with the same node flags wherever they run: the stack runner (tests, bench), the image and the chart. */
describe('APP_NODE_FLAGS', () => {
  it("are the image's command line for every app", () => {
    const cmd = /^CMD \["sh", "-c", "exec node (?:(.*) )?dist\/apps\/\$APP\/src\/main\.js"\]$/m.exec(
      read('docker/Dockerfile'),
    );
    expect(cmd).not.toBeNull();
    expect(cmd?.[1]?.split(' ') ?? []).toEqual(APP_NODE_FLAGS);
  });

  it("are the chart's default nodeFlags", () => {
    const values = parse(read('k8s/service-call-scheduler/values.yaml')) as { nodeFlags: string[] };
    expect(values.nodeFlags).toEqual(APP_NODE_FLAGS);
  });
});
