import { ServiceCallView } from '@app/common/read-model';
import { ViewsInFlight } from './views-in-flight';

const view = (id: string, version: number, status: ServiceCallView['status'] = 'Running'): ServiceCallView => ({
  tenantId: 'tenant-a',
  id,
  status,
  target: { method: 'GET', url: 'https://example.com/', headers: {} },
  tags: [],
  dueAt: null,
  timeoutMs: 1_000,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  attempts: 1,
  startedAt: null,
  finishedAt: null,
  result: null,
  version,
});

describe('ViewsInFlight', () => {
  it('gives a kept view only to the event of the very next version', () => {
    const views = new ViewsInFlight();
    views.keep('a', view('a', 2));
    expect(views.before('a', 3)).toMatchObject({ id: 'a', version: 2 });
    expect(views.before('a', 2)).toBeUndefined();
    expect(views.before('a', 4)).toBeUndefined();
    expect(views.before('b', 1)).toBeUndefined();
  });

  it('replaces a call’s view with the newer one and drops it once the call is settled', () => {
    const views = new ViewsInFlight();
    views.keep('a', view('a', 1, 'Accepted'));
    views.keep('a', view('a', 2));
    expect(views.before('a', 2)).toBeUndefined();
    expect(views.before('a', 3)).toMatchObject({ version: 2 });
    for (const status of ['Succeeded', 'Failed', 'Cancelled'] as const) {
      views.keep('a', view('a', 2));
      views.keep('a', view('a', 3, status));
      expect(views.before('a', 4)).toBeUndefined();
      expect(views.size).toBe(0);
    }
  });

  it('holds at most its capacity, forgetting the call that moved longest ago', () => {
    const views = new ViewsInFlight(2);
    views.keep('a', view('a', 1));
    views.keep('b', view('b', 1));
    views.keep('a', view('a', 2)); // a moved again: b is now the oldest
    views.keep('c', view('c', 1));
    expect(views.size).toBe(2);
    expect(views.before('b', 2)).toBeUndefined();
    expect(views.before('a', 3)).toMatchObject({ version: 2 });
    expect(views.before('c', 2)).toMatchObject({ version: 1 });
  });
});
