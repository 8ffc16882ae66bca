// A client written the way a tenant would write one: types generated from docs/openapi.json by
// openapi-typescript, calls made through openapi-fetch, compiled with `strict: true` and without a
// single type assertion. generated-client.e2e-spec.ts generates ./schema.d.ts next to a copy of
// this file, compiles both, and runs the result against the running stack; this program prints
// one JSON object of what it observed and the spec judges it. (The .cts extension keeps the
// repository's own build, which compiles *.ts, away from a file whose types do not exist yet.)
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

type SubmitRequest = components['schemas']['SubmitServiceCallRequestDto'];
type ServiceCall = components['schemas']['ServiceCallDto'];
type Status = ServiceCall['status'];

interface Observed<T> {
  readonly status: number;
  readonly requestId: string | null;
  readonly headers: Record<string, string>;
  readonly body: T | undefined;
}

const [baseUrl, apiKey, targetUrl] = process.argv.slice(2);
const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${apiKey}` } });
const TAG = `typed-${Date.now()}`;

function observe<D, E>(answer: { data?: D; error?: E; response: Response }): Observed<D | E> {
  const headers: Record<string, string> = {};
  answer.response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    status: answer.response.status,
    requestId: answer.response.headers.get('x-request-id'),
    headers,
    body: answer.data ?? answer.error,
  };
}

async function submit(body: SubmitRequest, idempotencyKey: string) {
  return observe(
    await api.POST('/v1/service-calls', {
      params: { header: { 'Idempotency-Key': idempotencyKey, 'X-Correlation-Id': `${TAG}-corr` } },
      body,
    }),
  );
}

async function waitForStatus(id: string, wanted: readonly Status[]): Promise<ServiceCall> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { data } = await api.GET('/v1/service-calls/{id}', { params: { path: { id } } });
    if (data && wanted.includes(data.data.status)) return data.data;
    if (Date.now() > deadline)
      throw new Error(`call ${id} did not reach ${wanted.join('|')}; last seen: ${JSON.stringify(data)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const idOf = (answer: Observed<{ data: { id: string } } | { error: unknown }>): string => {
  if (answer.body && 'data' in answer.body) return answer.body.data.id;
  throw new Error(`no call id in ${JSON.stringify(answer)}`);
};

async function main(): Promise<void> {
  const objectBody: SubmitRequest = {
    target: {
      method: 'POST',
      url: `${targetUrl}/object`,
      headers: { 'content-type': 'application/json', 'x-client': 'typed' },
      body: { order: 42, lines: [1, 2], note: null },
    },
    tags: [TAG],
    timeoutMs: 5_000,
  };
  const key = `${TAG}-object`;
  const submitted = await submit(objectBody, key);
  const replayed = await submit(objectBody, key);
  const arraySubmitted = await submit(
    { target: { method: 'PUT', url: `${targetUrl}/array`, body: [1, 'two', { three: 3 }] }, tags: [TAG] },
    `${TAG}-array`,
  );
  const stringSubmitted = await submit(
    { target: { method: 'PATCH', url: `${targetUrl}/string`, body: 'plain text' }, tags: [TAG] },
    `${TAG}-string`,
  );

  const terminal: readonly Status[] = ['Succeeded', 'Failed'];
  const detail = await waitForStatus(idOf(submitted), terminal);
  await waitForStatus(idOf(arraySubmitted), terminal);
  await waitForStatus(idOf(stringSubmitted), terminal);

  const list = (cursor?: string) =>
    api.GET('/v1/service-calls', { params: { query: { tag: [TAG], status: ['Succeeded', 'Failed'], limit: 2, cursor } } });
  const first = await list();
  const nextCursor = first.data?.meta.nextCursor;
  const firstPage = observe(first);
  const secondPage = observe(await list(nextCursor ?? undefined));

  const future = await submit(
    {
      target: { method: 'GET', url: `${targetUrl}/never` },
      dueAt: new Date(Date.now() + 3_600_000).toISOString(),
      tags: [TAG, 'future'],
    },
    `${TAG}-future`,
  );
  const cancelled = observe(await api.DELETE('/v1/service-calls/{id}', { params: { path: { id: idOf(future) } } }));
  const cancelledDetail = await waitForStatus(idOf(future), ['Cancelled']);
  const cancelStarted = observe(await api.DELETE('/v1/service-calls/{id}', { params: { path: { id: detail.id } } }));
  const malformedId = observe(await api.GET('/v1/service-calls/{id}', { params: { path: { id: 'not-a-uuid' } } }));

  const report = {
    tag: TAG,
    submitted,
    replayed,
    arraySubmitted,
    stringSubmitted,
    detail,
    firstPage,
    secondPage,
    cancelled,
    cancelledDetail,
    cancelStarted,
    malformedId,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
