import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';

export interface SubmitAnswer {
  readonly status: number;
  /** The serviceCallId on a 202. */
  readonly id?: string;
}

/** POST /v1/service-calls over a keep-alive undici pool, so the load generator is not what limits the rate. */
export class GatewayClient {
  private readonly pool: Pool;

  constructor(
    baseUrl: string,
    private readonly apiKey: string,
    connections: number,
  ) {
    this.pool = new Pool(baseUrl, {
      connections,
      pipelining: 1,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
      keepAliveTimeout: 30_000,
    });
  }

  async submit(targetUrl: string, dueAt?: number): Promise<SubmitAnswer> {
    const res = await this.pool.request({
      method: 'POST',
      path: '/v1/service-calls',
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        target: { method: 'POST', url: targetUrl, body: { bench: true } },
        ...(dueAt ? { dueAt: new Date(dueAt).toISOString() } : {}),
      }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 202) return { status: res.statusCode };
    return { status: 202, id: (JSON.parse(text) as { data: { id: string } }).data.id };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
