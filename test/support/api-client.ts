import { randomUUID } from 'node:crypto';

export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** The id of the call an answer to a submission names. */
export function acceptedId(answer: ApiAnswer): string {
  const id: unknown = answer.body?.data?.id;
  if (typeof id !== 'string') throw new Error(`no call id in the answer (${answer.status}): ${JSON.stringify(answer.body)}`);
  return id;
}

/** A thin client for the public API, as a generated client would use it. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async submit(body: unknown, options: { idempotencyKey?: string; correlationId?: string } = {}): Promise<ApiAnswer> {
    return this.request('POST', '/v1/service-calls', body, {
      'Idempotency-Key': options.idempotencyKey ?? randomUUID(),
      ...(options.correlationId ? { 'X-Correlation-Id': options.correlationId } : {}),
    });
  }

  get(id: string): Promise<ApiAnswer> {
    return this.request('GET', `/v1/service-calls/${id}`);
  }

  /** Polls GET until the call's status is one of `statuses`. */
  async waitForStatus(id: string, statuses: readonly string[], timeoutMs = 30_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let last: ApiAnswer | undefined;
    while (Date.now() < deadline) {
      last = await this.get(id);
      if (last.status === 200 && statuses.includes(last.body.data.status)) return last.body.data;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `call ${id} did not reach ${statuses.join('|')} in ${timeoutMs} ms; last: ${JSON.stringify(last?.body)}`,
    );
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }
}
