import { SERVICE_CALL_COLUMNS, SERVICE_CALLS_TABLE, serviceCallViewFromRow } from '@app/common/read-model';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../gateway.schema';
import { AcceptedCall } from './accepted-call';
import { decodeCursor, encodeCursor } from './list-cursor';
import { ListServiceCallsQueryDto } from './list-service-calls.query.dto';
import { ServiceCallDto } from './service-call.response.dto';

/** The projector's read model; the gateway only ever reads it (the query side of CQRS). */
const READ_MODEL = SERVICE_CALLS_TABLE;
const COLUMNS = SERVICE_CALL_COLUMNS;

export interface ServiceCallPage {
  readonly items: ServiceCallDto[];
  readonly nextCursor: string | null;
}

/** Reads for the API, always scoped by tenant. */
export class ServiceCallQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** The projected call, else the accepted-but-not-yet-projected one (status Accepted), else null; `id` is a UUID (ServiceCallIdPipe). */
  async findById(tenantId: string, id: string): Promise<ServiceCallDto | null> {
    const rows: Record<string, unknown>[] = await this.readModel(
      `SELECT ${COLUMNS} FROM ${READ_MODEL} WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    if (rows.length === 1) return toDto(rows[0]);
    const accepted: { accepted: AcceptedCall }[] = await this.dataSource.query(
      `SELECT accepted FROM "${GATEWAY_SCHEMA}".idempotency_keys WHERE tenant_id = $1 AND service_call_id = $2`,
      [tenantId, id],
    );
    return accepted.length === 1 ? acceptedDto(id, accepted[0].accepted) : null;
  }

  async list(tenantId: string, q: ListServiceCallsQueryDto): Promise<ServiceCallPage> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.status?.length) add((p) => `status = ANY(${p}::text[])`, q.status);
    if (q.tag?.length) add((p) => `tags @> ${p}::text[]`, q.tag);
    if (q.from) add((p) => `created_at >= ${p}`, q.from);
    if (q.to) add((p) => `created_at < ${p}`, q.to);
    if (q.cursor) {
      const at = decodeCursor(q.cursor);
      params.push(at.createdAt, at.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    const limit = q.limit ?? 20;
    params.push(limit + 1);
    const rows: Record<string, unknown>[] = await this.readModel(
      `SELECT ${COLUMNS} FROM ${READ_MODEL} WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit).map(toDto);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** Before the projector's first migration there is no read model yet: that reads as empty. */
  private async readModel(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return await this.dataSource.query(sql, params);
    } catch (error) {
      if ((error as { code?: string; driverError?: { code?: string } }).driverError?.code === '42P01') return [];
      throw error;
    }
  }
}

function toDto(row: Record<string, unknown>): ServiceCallDto {
  const { tenantId: _tenant, version: _version, ...call } = serviceCallViewFromRow(row);
  return { ...call, tags: [...call.tags], target: { ...call.target, headers: { ...call.target.headers } } };
}

function acceptedDto(id: string, a: AcceptedCall): ServiceCallDto {
  return {
    id,
    status: 'Accepted',
    target: { ...a.target, headers: { ...a.target.headers } },
    tags: [...a.tags],
    dueAt: a.dueAt,
    timeoutMs: a.timeoutMs,
    createdAt: a.submittedAt,
    updatedAt: a.submittedAt,
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    result: null,
  };
}
