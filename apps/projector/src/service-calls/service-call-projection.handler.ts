import { ServiceCallEventMessage } from '@app/common/contracts';
import { withConnection } from '@app/common/database';
import { ConsumedMessage } from '@app/common/messaging';
import { messageLogFields, recordCallFinished } from '@app/common/observability';
import { ServiceCallView } from '@app/common/read-model';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, EntityManager } from 'typeorm';
import { projectServiceCall } from './project-service-call';
import { lastPositions } from './projection-checkpoints';
import { ServiceCallViews, viewKey } from './service-call-views';
import { ViewsInFlight } from './views-in-flight';

export const SERVICE_CALLS_PROJECTION = 'service_calls';

/**
 * Applies a batch of events (of one partition or several) to the read model in one statement, two at most, and no
 * transaction: the views the events fold onto come from memory (the views this projector wrote last,
 * see ViewsInFlight) or else from one query, the events fold in memory in order, and one statement
 * writes the views that moved (forward only, by version) together with the checkpoint. Reading
 * outside the write's transaction loses nothing: a view that moved on meanwhile has a version the
 * write will not go below, and a transaction around the two would not have locked it either (READ
 * COMMITTED).
 */
export class ServiceCallProjectionHandler {
  private readonly views = new ServiceCallViews();
  private readonly inFlight = new ViewsInFlight();

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: PinoLogger,
  ) {}

  async handle(batch: readonly ConsumedMessage<ServiceCallEventMessage>[]): Promise<void> {
    if (batch.length === 0) return;
    const finished: [ServiceCallView | null, ServiceCallView][] = [];
    // One connection for the batch's statements, so each is a prepared statement of that session.
    await withConnection(this.dataSource, async (manager) => {
      const current = await this.viewsBefore(manager, batch);
      const moved = new Map<string, ServiceCallView>();
      for (const { envelope } of batch) {
        const key = viewKey(envelope.tenantId, envelope.aggregateId);
        const before = moved.get(key) ?? current.get(key) ?? null;
        const after = projectServiceCall(before, envelope);
        if (after && after !== before) moved.set(key, after);
        if (after && after !== before && this.log.logger.isLevelEnabled('debug'))
          this.log.debug(
            { ...messageLogFields(envelope), version: envelope.version, status: after.status },
            'read model upserted',
          );
      }
      const written = await this.views.saveWithCheckpoint(
        manager,
        [...moved.values()],
        SERVICE_CALLS_PROJECTION,
        lastPositions(batch),
      );
      for (const [key, after] of moved) {
        this.inFlight.keep(key, after);
        // Only rows this statement moved count: a redelivered batch folded from memory writes nothing.
        if (written.has(key)) finished.push([current.get(key) ?? null, after]);
      }
    });
    // After the write: a batch that failed is tried again and must not count twice.
    for (const [before, after] of finished) recordCallFinished(before, after);
  }

  /**
   * The view each call of the batch folds onto, keyed by viewKey: none before a call's first event,
   * the kept one when it is the version just before the call's first event here, else the table's
   * (one query for all of those).
   */
  private async viewsBefore(
    manager: EntityManager,
    batch: readonly ConsumedMessage<ServiceCallEventMessage>[],
  ): Promise<Map<string, ServiceCallView>> {
    const current = new Map<string, ServiceCallView>();
    const seen = new Set<string>();
    const toRead: { tenantId: string; id: string }[] = [];
    for (const { envelope } of batch) {
      const key = viewKey(envelope.tenantId, envelope.aggregateId);
      if (seen.has(key)) continue;
      seen.add(key);
      if (envelope.version === 1) continue;
      const kept = this.inFlight.before(key, envelope.version);
      if (kept) current.set(key, kept);
      else toRead.push({ tenantId: envelope.tenantId, id: envelope.aggregateId });
    }
    if (toRead.length > 0) for (const [key, view] of await this.views.load(manager, toRead)) current.set(key, view);
    return current;
  }
}
