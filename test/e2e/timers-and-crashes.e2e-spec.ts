import { ApiClient } from '../support/api-client';
import { RecordingTarget } from '../support/recording-target';
import { RunningSystem, startRunningSystem, TEST_API_KEY } from '../support/running-system';

/** Future calls fire from a timer; a crash mid-call never leads to a second call. */
describe('scheduled calls and crashes (e2e)', () => {
  let system: RunningSystem;
  let api: ApiClient;
  let target: RecordingTarget;
  let targetUrl: string;

  beforeAll(async () => {
    target = new RecordingTarget((path) =>
      path === '/hang' ? { status: 200, body: 'late', delayMs: 8_000 } : { status: 204 },
    );
    targetUrl = await target.start();
    system = await startRunningSystem('e2e-timers-crashes');
    api = new ApiClient(system.baseUrl, TEST_API_KEY);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await target?.stop();
  });

  // A scheduled call is handed to the executor SCHEDULER_TIMER_LEAD_MS (1 s) before its dueAt; until then it is Scheduled.
  it('holds a call with a future dueAt as Scheduled, then runs it once at its time', async () => {
    const dueAt = new Date(Date.now() + 3_500);
    const submitted = await api.submit({
      target: { method: 'POST', url: `${targetUrl}/scheduled`, body: 'tick' },
      dueAt: dueAt.toISOString(),
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.data.id;
    const scheduled = await api.waitForStatus(id, ['Scheduled', 'Running', 'Succeeded'], 10_000);
    expect(scheduled.status).toBe('Scheduled');
    expect(target.requestsTo('/scheduled')).toHaveLength(0);

    const done = await api.waitForStatus(id, ['Succeeded', 'Failed'], 15_000);
    expect(done).toMatchObject({
      status: 'Succeeded',
      attempts: 1,
      dueAt: dueAt.toISOString(),
      result: { statusCode: 204 },
    });
    const [received, ...more] = target.requestsTo('/scheduled');
    expect(more).toHaveLength(0);
    expect(received.receivedAt).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(received.receivedAt - dueAt.getTime()).toBeLessThan(1_000);
  });

  it('cancels a scheduled call before it runs, and refuses to cancel one that already ran', async () => {
    const submitted = await api.submit({
      target: { method: 'POST', url: `${targetUrl}/cancelled` },
      dueAt: new Date(Date.now() + 4_000).toISOString(),
    });
    const id = submitted.body.data.id;
    await api.waitForStatus(id, ['Scheduled'], 10_000);
    const cancel = await api.request('DELETE', `/v1/service-calls/${id}`);
    expect(cancel.status).toBe(202);
    expect(await api.waitForStatus(id, ['Cancelled', 'Succeeded', 'Failed'], 10_000)).toMatchObject({
      status: 'Cancelled',
      attempts: 0,
    });
    await new Promise((r) => setTimeout(r, 4_500));
    expect(target.requestsTo('/cancelled')).toHaveLength(0);
    expect((await api.get(id)).body.data.status).toBe('Cancelled');

    const ran = await api.submit({ target: { method: 'POST', url: `${targetUrl}/ran` } });
    await api.waitForStatus(ran.body.data.id, ['Succeeded'], 10_000);
    const tooLate = await api.request('DELETE', `/v1/service-calls/${ran.body.data.id}`);
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('CALL_ALREADY_STARTED');
  });

  it('records an executor crash during a call as EXECUTION_INTERRUPTED and never calls the target again', async () => {
    const submitted = await api.submit({ target: { method: 'GET', url: `${targetUrl}/hang` } });
    const id = submitted.body.data.id;
    const deadline = Date.now() + 20_000;
    while (target.requestsTo('/hang').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(target.requestsTo('/hang')).toHaveLength(1);

    await system.kill('executor');
    await system.restart('executor');

    const done = await api.waitForStatus(id, ['Succeeded', 'Failed'], 30_000);
    expect(done).toMatchObject({ status: 'Failed', attempts: 1, result: { error: { code: 'EXECUTION_INTERRUPTED' } } });
    expect(target.requestsTo('/hang')).toHaveLength(1);
  });
});
