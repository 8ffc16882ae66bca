import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeScratchDir } from './scratch-dir';

describe('makeScratchDir', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'scratch-dir-spec-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('removes the folder of a command killed without cleaning up, and keeps live and unmarked ones', async () => {
    const killedCommand = spawn('sleep', ['30']);
    const abandoned = makeScratchDir(parent, 'scs-x-', killedCommand.pid);
    const ours = makeScratchDir(parent, 'scs-x-');
    const unmarked = join(parent, 'scs-x-unmarked');
    mkdirSync(unmarked);
    await new Promise((resolve) => {
      killedCommand.once('exit', resolve);
      killedCommand.kill('SIGKILL');
    });

    const next = makeScratchDir(parent, 'scs-x-');

    expect({
      abandoned: existsSync(abandoned),
      ours: existsSync(ours),
      unmarked: existsSync(unmarked),
      next: existsSync(next),
    }).toEqual({ abandoned: false, ours: true, unmarked: true, next: true });
  });
});
