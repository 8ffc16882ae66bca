import { ServiceCallEventMessage } from '@app/common/contracts';
import { ConsumedMessage } from '@app/common/messaging';
import { messageLogFields, recordCallFinished } from '@app/common/observability';
import { ServiceCallView } from '@app/common/read-model';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { ProjectionCheckpoints } from './projection-checkpoints';
import { projectServiceCall } from './project-service-call';
import { ServiceCallViews, viewKey } from './service-call-views';

export const SERVICE_CALLS_PROJECTION = 'service_calls';

/**
 * Applies a batch of one partition's events to the read model in one transaction: one query loads
 * the affected views, the events fold in memory in order, one upsert writes the views that moved
 * (forward only, by version), and one statement advances the checkpoint.
 */
export class ServiceCallProjectionHandler {
  private readonly views = new ServiceCallViews();
  private readonly checkpoints = new ProjectionCheckpoints();

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: PinoLogger,
  ) {}

  async handle(batch: readonly ConsumedMessage<ServiceCallEventMessage>[]): Promise<void> {
    if (batch.length === 0) return;
    const finished: [ServiceCallView | null, ServiceCallView][] = [];
    await this.dataSource.transaction(async (manager) => {
      const keys = uniqueKeys(batch);
      const current = await this.views.load(manager, keys);
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
      await this.views.saveAll(manager, [...moved.values()]);
      for (const [key, after] of moved) finished.push([current.get(key) ?? null, after]);
      const last = batch[batch.length - 1];
      await this.checkpoints.advance(manager, {
        projection: SERVICE_CALLS_PROJECTION,
        topic: last.physicalTopic,
        partition: last.partition,
        offset: last.offset,
      });
    });
    // After the commit: a batch that rolled back is tried again and must not count twice.
    for (const [before, after] of finished) recordCallFinished(before, after);
  }
}

function uniqueKeys(batch: readonly ConsumedMessage<ServiceCallEventMessage>[]) {
  const keys = new Map<string, { tenantId: string; id: string }>();
  for (const { envelope } of batch)
    keys.set(viewKey(envelope.tenantId, envelope.aggregateId), { tenantId: envelope.tenantId, id: envelope.aggregateId });
  return [...keys.values()];
}
