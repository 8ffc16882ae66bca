import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePortRun } from '../../tools/infra/free-port';
import { projectRoot } from '../../tools/infra/project-root';
import { ApiClient } from '../support/api-client';
import { eventually } from '../support/eventually';
import { RecordingTarget } from '../support/recording-target';
import { createTestDatabase, testBrokers } from '../support/test-database';

/** `npm run stack`'s runner, as a user starts it: migrations, topics, four apps; SIGINT stops it all. */
describe('the stack runner (e2e)', () => {
  let stack: ChildProcess;
  let output = '';
  let target: RecordingTarget;

  afterAll(async () => {
    if (stack && stack.exitCode === null) stack.kill('SIGKILL');
    await target?.stop();
  });

  it('brings up the four apps, runs a call end to end, and stops everything on SIGINT', async () => {
    target = new RecordingTarget(() => ({ status: 200, body: 'from the stack' }));
    const targetUrl = await target.start();
    // The stack's apps listen on PORT to PORT+3; another suite's process on one of those would stop it.
    const port = await freePortRun(4);
    stack = spawn(process.execPath, [join(projectRoot(), 'dist/tools/stack/main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: await createTestDatabase('stack'),
        KAFKA_BROKERS: testBrokers(),
        KAFKA_TOPIC_PREFIX: `test-stack-${port}.`,
        PORT: String(port),
        GATEWAY_API_KEYS: 'stack-tenant:stack-key-123',
        EXECUTOR_ALLOW_PRIVATE_TARGETS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    stack.stderr?.on('data', (c: Buffer) => (output += c.toString()));

    await eventually(
      'the stack to say it is ready',
      () => {
        if (stack.exitCode !== null) throw new Error(`the stack exited (${stack.exitCode}) before it was ready:\n${output}`);
        return output.includes('[stack] ready');
      },
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- stack output ---\n${output}`);
    });
    expect(output).toMatch(/\[stack\] migrations: gateway \+3, scheduler-core \+3, executor \+5, projector \+1/);
    expect(output).toContain('[stack] topics: scheduler.commands.v1');

    const api = new ApiClient(`http://127.0.0.1:${port}`, 'stack-key-123');
    const submitted = await api.submit({ target: { method: 'GET', url: `${targetUrl}/via-stack` } });
    expect(submitted.status).toBe(202);
    expect(await api.waitForStatus(submitted.body.data.id, ['Succeeded', 'Failed'])).toMatchObject({
      status: 'Succeeded',
      result: { statusCode: 200, responseSnippet: 'from the stack' },
    });
    const docs = await fetch(`http://127.0.0.1:${port}/docs`);
    expect(docs.status).toBe(200);

    const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
    stack.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('[stack] stopping...');
    for (const p of [port, port + 1, port + 2, port + 3]) {
      await expect(fetch(`http://127.0.0.1:${p}/health/live`)).rejects.toThrow();
    }
  }, 150_000);
});
