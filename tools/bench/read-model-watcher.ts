import { Client } from 'pg';
import { sleep } from './sleep';

/**
 * Notes when each watched call is first seen `Succeeded` (or `Failed`) in `projector.service_calls`.
 * It asks only about calls still pending, by primary key, and polls every `everyMs` (slower when
 * thousands are pending, so the watcher's own queries stay a small share of Postgres's work);
 * the resolution it had is reported beside the figures.
 */
export class ReadModelWatcher {
  private readonly pending = new Set<string>();
  private readonly succeeded = new Map<string, number>();
  private readonly failed = new Map<string, number>();
  private running = false;
  private loop?: Promise<void>;
  maxPollGapMs = 0;

  constructor(
    private readonly db: Client,
    private readonly tenantId: string,
    private readonly everyMs = 20,
  ) {}

  watch(id: string): void {
    if (!this.succeeded.has(id) && !this.failed.has(id)) this.pending.add(id);
  }

  succeededAt(id: string): number | undefined {
    return this.succeeded.get(id);
  }

  failedAt(id: string): number | undefined {
    return this.failed.get(id);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      let last = Date.now();
      while (this.running) {
        if (this.pending.size > 0) await this.pollOnce();
        const now = Date.now();
        this.maxPollGapMs = Math.max(this.maxPollGapMs, now - last);
        last = now;
        await sleep(Math.max(this.everyMs, Math.floor(this.pending.size / 100)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async pollOnce(): Promise<void> {
    const ids = [...this.pending];
    const { rows } = await this.db.query<{ id: string; status: string }>({
      // Named, so it is planned once rather than on every poll (planning took longer than the lookups).
      name: 'bench-read-model-watch',
      text: `SELECT id, status FROM projector.service_calls WHERE tenant_id = $1 AND id = ANY($2::text[]) AND status IN ('Succeeded', 'Failed')`,
      values: [this.tenantId, ids],
    });
    const now = Date.now();
    for (const { id, status } of rows) {
      this.pending.delete(id);
      (status === 'Succeeded' ? this.succeeded : this.failed).set(id, now);
    }
  }
}
