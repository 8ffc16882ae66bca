import { Agent, request } from 'undici';
import { PeerJob } from './peer-job';

let agent: Agent | undefined;

/** What a peer's worker does per job: the same keep-alive undici POST the executor makes; a non-2xx fails the job. */
export async function callTarget(job: PeerJob, connections: number): Promise<void> {
  agent ??= new Agent({ connections, keepAliveTimeout: 30_000 });
  const res = await request(job.url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'idempotency-key': job.key, 'content-type': 'application/json' },
    body: '{"bench":true}',
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await res.body.text();
  if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`target answered ${res.statusCode}`);
}
