import { bearer, GatewayHarness, startGateway, TENANT_A, TENANT_B } from './testing/gateway-harness';
import { insertProjectedCall } from './testing/gateway-tables';

const STATUSES = ['Accepted', 'Scheduled', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;
const BASE = Date.parse('2026-11-01T00:00:00.000Z');

interface Seeded {
  readonly id: string;
  readonly status: string;
  readonly tags: string[];
  readonly createdAt: string;
}

/** Newest first; equal creation times by id, descending (the API's keyset order). */
const newestFirst = (a: Seeded, b: Seeded) =>
  b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('gateway GET /v1/service-calls (real Postgres)', () => {
  let gw: GatewayHarness;
  const ofA: Seeded[] = [];
  const ofB: Seeded[] = [];

  beforeAll(async () => {
    gw = await startGateway('gateway_list');
    // 25 calls for tenant-a, inserted out of order; calls 10 and 11 share a creation time to exercise the id tie-break.
    const order = Array.from({ length: 25 }, (_, i) => (i * 7) % 25);
    for (const i of order) {
      const minute = i === 11 ? 10 : i;
      const call = {
        status: STATUSES[i % STATUSES.length],
        tags: ['all', ...(i % 2 === 0 ? ['even'] : []), ...(i % 3 === 0 ? ['three'] : [])],
        createdAt: new Date(BASE + minute * 60_000).toISOString(),
      };
      ofA.push({ ...call, id: await insertProjectedCall(gw.db, { tenantId: TENANT_A.tenantId, ...call }) });
    }
    for (let i = 0; i < 5; i += 1) {
      const call = {
        status: 'Failed',
        tags: ['all', 'even', 'three'],
        createdAt: new Date(BASE + i * 60_000 + 30_000).toISOString(),
      };
      ofB.push({ ...call, id: await insertProjectedCall(gw.db, { tenantId: TENANT_B.tenantId, ...call }) });
    }
    ofA.sort(newestFirst);
    ofB.sort(newestFirst);
  });

  afterAll(async () => {
    await gw?.close();
  });

  const list = (query: string, tenant: { key: string } = TENANT_A) =>
    gw.http().get(`/v1/service-calls${query}`).set('Authorization', bearer(tenant));

  /** Follows meta.nextCursor to the end; fails on a page that repeats a call. */
  async function allPages(query: string, tenant: { key: string } = TENANT_A): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = query ? '&' : '?';
      const res = await list(cursor ? `${query}${sep}cursor=${encodeURIComponent(cursor)}` : query, tenant);
      expect(res.status).toBe(200);
      pages += 1;
      ids.push(...res.body.data.map((c: { id: string }) => c.id));
      cursor = res.body.meta.nextCursor;
      expect(pages).toBeLessThanOrEqual(30);
    } while (cursor !== null);
    expect(new Set(ids).size).toBe(ids.length);
    return { ids, pages };
  }

  it('answers the newest 20 of the tenant by default, in the list shape', async () => {
    const res = await list('').set('X-Request-Id', 'req-list');
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ requestId: 'req-list', nextCursor: expect.any(String) });
    expect(res.body.data.map((c: Seeded) => c.id)).toEqual(ofA.slice(0, 20).map((c) => c.id));
    expect(res.body.data[0]).toEqual({
      id: ofA[0].id,
      status: ofA[0].status,
      target: { method: 'POST', url: 'https://example.com/hook', headers: {} },
      tags: ofA[0].tags,
      dueAt: null,
      timeoutMs: 10000,
      createdAt: ofA[0].createdAt,
      updatedAt: ofA[0].createdAt,
      attempts: 0,
      startedAt: null,
      finishedAt: null,
      result: null,
    });
  });

  it('pages through every call exactly once with meta.nextCursor, ending with null', async () => {
    const { ids, pages } = await allPages('?limit=7');
    expect(ids).toEqual(ofA.map((c) => c.id));
    expect(pages).toBe(4);
  });

  it('answers nextCursor null when the page holds the rest, and on an empty result', async () => {
    const exact = await list('?limit=25');
    expect(exact.body.data).toHaveLength(25);
    expect(exact.body.meta.nextCursor).toBeNull();
    const max = await list('?limit=100');
    expect(max.body.data).toHaveLength(25);
    expect(max.body.meta.nextCursor).toBeNull();
    const none = await list('?tag=nowhere');
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ data: [], meta: { requestId: expect.any(String), nextCursor: null } });
  });

  it('keeps tenants apart', async () => {
    const { ids } = await allPages('?limit=2', TENANT_B);
    expect(ids).toEqual(ofB.map((c) => c.id));
    const firstOfA = await list('?limit=1');
    const crossCursor = await list(`?cursor=${encodeURIComponent(firstOfA.body.meta.nextCursor)}`, TENANT_B);
    expect(crossCursor.status).toBe(200);
    for (const call of crossCursor.body.data) expect(ofB.map((c) => c.id)).toContain(call.id);
  });

  it('filters by any of several statuses (status repeated)', async () => {
    const { ids } = await allPages('?status=Failed&status=Succeeded&limit=3');
    const expected = ofA.filter((c) => c.status === 'Failed' || c.status === 'Succeeded').map((c) => c.id);
    expect(expected.length).toBeGreaterThan(3);
    expect(ids).toEqual(expected);

    const single = await list('?status=Running');
    expect(single.body.data.map((c: Seeded) => c.id)).toEqual(ofA.filter((c) => c.status === 'Running').map((c) => c.id));
  });

  it('filters by all of several tags (tag repeated)', async () => {
    const both = await list('?tag=even&tag=three&limit=100');
    expect(both.body.data.map((c: Seeded) => c.id)).toEqual(
      ofA.filter((c) => c.tags.includes('even') && c.tags.includes('three')).map((c) => c.id),
    );
    expect(both.body.data.length).toBeGreaterThan(0);
    const one = await list('?tag=three&limit=100');
    expect(one.body.data.map((c: Seeded) => c.id)).toEqual(ofA.filter((c) => c.tags.includes('three')).map((c) => c.id));
  });

  it('filters on creation time: from inclusive, to exclusive', async () => {
    const from = new Date(BASE + 5 * 60_000).toISOString();
    const to = new Date(BASE + 12 * 60_000).toISOString();
    const res = await list(`?from=${from}&to=${to}&limit=100`);
    expect(res.status).toBe(200);
    const expected = ofA.filter((c) => c.createdAt >= from && c.createdAt < to).map((c) => c.id);
    expect(expected).toHaveLength(7); // minutes 5..10, with two calls at minute 10 (none left at 11)
    expect(res.body.data.map((c: Seeded) => c.id)).toEqual(expected);
    const createdAts = res.body.data.map((c: Seeded) => c.createdAt);
    expect(createdAts).toContain(from);
    expect(createdAts).not.toContain(to);
  });

  it('combines filters with pagination', async () => {
    const to = new Date(BASE + 20 * 60_000).toISOString();
    const { ids } = await allPages(`?tag=even&to=${to}&limit=2`);
    expect(ids).toEqual(ofA.filter((c) => c.tags.includes('even') && c.createdAt < to).map((c) => c.id));
  });

  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['limit 0', 'limit=0', 'limit'],
    ['limit 101', 'limit=101', 'limit'],
    ['a limit that is not a number', 'limit=abc', 'limit'],
    ['a fractional limit', 'limit=2.5', 'limit'],
    ['a cursor that is not base64 JSON', 'cursor=not-a-cursor', 'cursor'],
    ['a cursor of the wrong shape', `cursor=${cursorOf({ a: 1 })}`, 'cursor'],
    ['a forged cursor whose time Postgres cannot read', `cursor=${cursorOf(['1', 'x'])}`, 'cursor'],
    ['a forged cursor on a day that does not exist', `cursor=${cursorOf(['2026-02-30T00:00:00.000Z', 'x'])}`, 'cursor'],
    ['a cursor over 512 characters', `cursor=${'x'.repeat(600)}`, 'cursor'],
    ['an unknown status', 'status=Lost', 'status'],
    ['a tag with a space', 'tag=has%20space', 'tag'],
    ['a from that is not a date-time', 'from=yesterday', 'from'],
    ['a from on a day that does not exist', 'from=2026-02-30T00:00:00Z', 'from'],
    ['a to without a time', 'to=2026-11-01', 'to'],
    ['a to in year 0', 'to=0000-01-01T00:00:00Z', 'to'],
    ['an unknown parameter', 'sort=asc', 'sort'],
  ])('refuses %s with 400 VALIDATION_FAILED naming the field', async (_, query, field) => {
    const res = await list(`?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });
});
