import { ServiceCallEventMessage } from '@app/common/contracts';
import { claimMessage } from '@app/common/inbox';
import { messageLogFields } from '@app/common/observability';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { PROJECTOR_SCHEMA } from '../projector.schema';
import { ProjectionCheckpoints } from './projection-checkpoints';
import { projectServiceCall } from './project-service-call';
import { ServiceCallViews } from './service-call-views';

export const SERVICE_CALLS_PROJECTION = 'service_calls';

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Applies an event to the read model and advances the checkpoint in one transaction. */
export class ServiceCallProjectionHandler {
  private readonly views = new ServiceCallViews();
  private readonly checkpoints = new ProjectionCheckpoints();

  constructor(private readonly dataSource: DataSource, private readonly log: PinoLogger) {}

  async handle(message: ServiceCallEventMessage, position: RecordPosition): Promise<void> {
    const fields = { ...messageLogFields(message), version: message.version };
    const at = { projection: SERVICE_CALLS_PROJECTION, ...position };
    await this.dataSource.transaction(async (manager) => {
      if (await this.checkpoints.isApplied(manager, at)) {
        this.log.info({ ...fields, offset: position.offset }, 'event at or before checkpoint; skipped');
        return;
      }
      if (await claimMessage(manager, PROJECTOR_SCHEMA, message)) {
        const current = await this.views.lockAndLoad(manager, message.tenantId, message.aggregateId);
        const next = projectServiceCall(current, message);
        if (next && next !== current) {
          await this.views.save(manager, next);
          this.log.info({ ...fields, status: next.status }, 'read model upserted');
        }
      } else {
        this.log.info(fields, 'duplicate event ignored');
      }
      await this.checkpoints.advance(manager, at);
    });
  }
}
