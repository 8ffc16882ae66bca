import { DataSource } from 'typeorm';
import { Log } from '../observability/log';
import { outboxBacklog, outboxOldestUnpublishedAge } from '../observability/metrics';

export interface OutboxBacklogMonitorOptions {
  readonly dataSource: DataSource;
  /** The schema that holds the outbox; also the `outbox` label, as on scheduler_outbox_published_total. */
  readonly schema: string;
  readonly log: Log;
  readonly intervalMs?: number;
}

/**
 * Keeps scheduler_outbox_backlog_rows and scheduler_outbox_oldest_unpublished_age_seconds fresh
 * with one cheap query (the partial unpublished index) every interval. Every replica reports the
 * same figures, so dashboards take the max per outbox, not the sum.
 */
export class OutboxBacklogMonitor {
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;

  constructor(private readonly options: OutboxBacklogMonitorOptions) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
  }

  async refresh(): Promise<void> {
    const { dataSource, schema } = this.options;
    const [row]: { rows: number; oldest_seconds: number }[] = await dataSource.query(
      `SELECT count(*)::int AS rows, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
         FROM "${schema}".outbox WHERE published_at IS NULL`,
    );
    outboxBacklog.set({ outbox: schema }, row.rows);
    outboxOldestUnpublishedAge.set({ outbox: schema }, Math.max(0, row.oldest_seconds));
  }

  /** One refresh at a time; a failed one keeps the last figures (readiness already reports a lost database). */
  private tick(): void {
    if (this.refreshing) return;
    this.refreshing = this.refresh()
      .catch((error) =>
        this.options.log.warn(
          { outbox: this.options.schema, error: error instanceof Error ? error.message : String(error) },
          'outbox backlog refresh failed',
        ),
      )
      .finally(() => {
        this.refreshing = undefined;
      });
  }
}
