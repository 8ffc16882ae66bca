import { randomUUID } from 'node:crypto';

export interface LoadOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** The request body for call number `i`. */
  readonly body: (i: number) => unknown;
  /** Per-request time limit; an answer that never comes counts as an error. */
  readonly requestTimeoutMs?: number;
}

export interface LoadResult {
  readonly sent: number;
  /** ids of calls the gateway answered 202 for: the system owes each one a terminal state. */
  readonly accepted: string[];
  /** When each 202 arrived (ms since the epoch), in the order of `accepted`. */
  readonly acceptedAt: number[];
  /** dueAt per accepted id, when the body had one. */
  readonly dueAtById: Map<string, number>;
  readonly unavailable: number;
  /** 503s that carried a Retry-After header. */
  readonly unavailableWithRetryAfter: number;
  /** Any other answer, or no answer: status (or error name) → count. */
  readonly other: Record<string, number>;
}

/**
 * Open loop: requests leave at a fixed rate whether or not earlier ones were answered, as real
 * clients do, so a stalled system cannot slow the load down and hide the fault. Bounded by time.
 */
export async function runOpenLoopLoad(options: LoadOptions): Promise<LoadResult> {
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1_000);
  const interval = 1_000 / options.ratePerSecond;
  const accepted: string[] = [];
  const acceptedAt: number[] = [];
  const dueAtById = new Map<string, number>();
  const other: Record<string, number> = {};
  let unavailable = 0;
  let unavailableWithRetryAfter = 0;
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + i * interval - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = options.body(i) as { dueAt?: string };
    inFlight.push(
      submit(options, body)
        .then(({ status, retryAfter, id }) => {
          if (status === 202 && id) {
            accepted.push(id);
            acceptedAt.push(Date.now());
            if (body.dueAt) dueAtById.set(id, Date.parse(body.dueAt));
          } else if (status === 503) {
            unavailable++;
            if (retryAfter) unavailableWithRetryAfter++;
          } else other[String(status)] = (other[String(status)] ?? 0) + 1;
        })
        .catch((error: Error) => {
          const key =
            error.name === 'TimeoutError' ? 'timeout' : `error:${(error.cause as { code?: string })?.code ?? error.message}`;
          other[key] = (other[key] ?? 0) + 1;
        }),
    );
  }
  await Promise.all(inFlight);
  return { sent: total, accepted, acceptedAt, dueAtById, unavailable, unavailableWithRetryAfter, other };
}

/** A request that got no answer at all (a dropped keep-alive socket) is sent again with the same Idempotency-Key, as the API asks clients to. */
async function submit(
  options: LoadOptions,
  body: unknown,
): Promise<{ status: number; retryAfter: string | null; id?: string }> {
  const key = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await submitOnce(options, body, key);
    } catch (error) {
      if (attempt >= 3 || (error as Error).name === 'TimeoutError') throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function submitOnce(
  options: LoadOptions,
  body: unknown,
  key: string,
): Promise<{ status: number; retryAfter: string | null; id?: string }> {
  const res = await fetch(`${options.baseUrl}/v1/service-calls`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
  });
  const text = await res.text();
  const id = res.status === 202 ? (JSON.parse(text) as { data: { id: string } }).data.id : undefined;
  return { status: res.status, retryAfter: res.headers.get('retry-after'), id };
}
