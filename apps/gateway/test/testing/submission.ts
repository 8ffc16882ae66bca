import { randomUUID } from 'node:crypto';
import { countIdempotencyKeys, countOutbox } from './gateway-tables';
import { bearer, GatewayHarness, TENANT_A } from './gateway-harness';

export const SECRET_HEADER = 'Bearer s3cret-header-value-7f1c';
export const SECRET_PARAM = 's3cret-param-value-9a2b';
export const SECRET_BODY = 's3cret-body-value-4d8e';

/** A valid submission whose target carries secrets in a header, a query parameter and the body. */
export const validBody = () => ({
  target: {
    method: 'POST',
    url: `https://example.com/hook?token=${SECRET_PARAM}&region=eu`,
    headers: { 'content-type': 'application/json', authorization: SECRET_HEADER },
    body: { password: SECRET_BODY, amount: 12 },
  },
  dueAt: '2026-11-23T10:00:00Z',
  tags: ['billing', 'eu'],
  timeoutMs: 5000,
});

/** POST /v1/service-calls as a tenant; key null sends no Idempotency-Key header at all. */
export const poster =
  (gw: () => GatewayHarness) =>
  (body: unknown, key: string | null = randomUUID(), tenant: { key: string } = TENANT_A) => {
    const req = gw().http().post('/v1/service-calls').set('Authorization', bearer(tenant));
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };

/** Runs a request that must be refused, and proves it wrote neither an idempotency key nor an outbox row. */
export async function refusedWithoutWrites<T>(gw: GatewayHarness, send: () => Promise<T>): Promise<T> {
  const before = { outbox: await countOutbox(gw.db), keys: await countIdempotencyKeys(gw.db) };
  const res = await send();
  expect({ outbox: await countOutbox(gw.db), keys: await countIdempotencyKeys(gw.db) }).toEqual(before);
  return res;
}
