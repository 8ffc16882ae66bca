import { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { Envelope } from '../contracts/envelope';
import { createProducer } from '../messaging/create-producer';
import { encodeEnvelope } from '../messaging/envelope-codec';
import { TopicNamespace } from '../messaging/topic-namespace';
import { Log, messageLogFields } from '../observability/log';
import { outboxPublished } from '../observability/metrics';
import { outboxChannel } from './outbox-table';

export interface OutboxPublisherOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly kafka: Kafka;
  readonly log: Log;
  readonly namespace?: TopicNamespace;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** Published rows older than this are deleted. */
  readonly retentionMs?: number;
}

const HELD_BACK_RETRY_MS = 5;

interface OutboxRow {
  id: string;
  topic: string;
  envelope: Envelope;
}

/**
 * Drains one outbox to the broker in id order. One publisher per outbox holds a session advisory
 * lock (replicas wait on standby); rows are taken in id order up to the first one whose transaction
 * is not older than every open one (`xid < pg_snapshot_xmin`), so a row that commits late is neither
 * skipped nor overtaken by a later row of the same key. A crash between produce and mark-published
 * republishes: consumers dedupe by messageId.
 */
export class OutboxPublisher {
  private client?: Client;
  private producer?: Producer;
  private running = false;
  private leader = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private lastCleanup = 0;
  /** The last drain stopped at a committed row whose transaction is newer than one still open. */
  private heldBack = false;

  constructor(private readonly options: OutboxPublisherOptions) {}

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    this.client = await this.connect();
    this.producer = createProducer(this.options.kafka);
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer?.disconnect().catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The session holds the lock and the LISTEN; when it drops, both are gone and the loop opens a new one. */
  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: `outbox-publisher:${this.options.schema}` });
    client.on('error', (error) => this.options.log.error({ error: error.message }, 'outbox publisher connection failed'));
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.leader = false;
    });
    try {
      await client.connect();
      client.on('notification', () => this.wake?.());
      await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 250;
    while (this.running) {
      try {
        if (!this.client) this.client = await this.connect();
        if (!this.leader) this.leader = await this.tryLock();
        const published = this.leader ? await this.drainOnce() : 0;
        if (published > 0) continue;
        if (this.leader && this.heldBack) {
          // Committed rows wait for an older transaction still open elsewhere; it is usually about to end.
          await this.sleep(HELD_BACK_RETRY_MS);
          continue;
        }
        if (this.leader) await this.cleanup();
      } catch (error) {
        this.options.log.error({ outbox: this.options.schema, error: error instanceof Error ? error.message : String(error) }, 'outbox publish failed; retrying');
      }
      await this.sleep(this.leader ? interval : interval * 8);
    }
  }

  private async tryLock(): Promise<boolean> {
    const { rows } = await this.client!.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`outbox:${this.options.schema}`]);
    return rows[0].locked;
  }

  /** Publishes one batch; returns how many rows went out. */
  async drainOnce(): Promise<number> {
    const { schema } = this.options;
    // Stops at the first held-back row rather than skipping it: a later row may come from a transaction
    // that got its xid earlier but wrote after that row committed, and must not overtake it.
    const { rows: candidates } = await this.client!.query<OutboxRow & { held: boolean }>(
      `SELECT id, topic, envelope, xid >= pg_snapshot_xmin(pg_current_snapshot()) AS held
         FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
      [this.options.batchSize ?? 500],
    );
    const firstHeld = candidates.findIndex((r) => r.held);
    const rows = firstHeld === -1 ? candidates : candidates.slice(0, firstHeld);
    this.heldBack = firstHeld !== -1;
    if (rows.length === 0) return 0;
    await this.producer!.sendBatch({ topicMessages: groupByTopic(rows, this.options.namespace ?? new TopicNamespace()) });
    await this.client!.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    for (const row of rows) {
      outboxPublished.inc({ outbox: schema, topic: row.topic });
      this.options.log.info({ ...messageLogFields(row.envelope), topic: row.topic, outbox: schema }, 'published');
    }
    return rows.length;
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const retention = this.options.retentionMs ?? 24 * 3_600_000;
    await this.client!.query(`DELETE FROM "${this.options.schema}".outbox WHERE published_at < now() - ($1 || ' milliseconds')::interval`, [String(retention)]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); resolve(); }
      this.wake = done;
    });
  }
}

/** Keeps id order within each topic; kafkajs keeps it within each partition. */
function groupByTopic(rows: OutboxRow[], namespace: TopicNamespace) {
  const byTopic = new Map<string, ReturnType<typeof encodeEnvelope>[]>();
  for (const row of rows) {
    const topic = namespace.physical(row.topic);
    const list = byTopic.get(topic) ?? [];
    list.push(encodeEnvelope(row.envelope));
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
