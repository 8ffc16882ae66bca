import { randomBytes } from 'node:crypto';
import { connectDatabase, createDataSource } from '@app/common/database';
import { TargetSealer } from '@app/common/secrets';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../../test/support/test-database';
import { migrateAll } from '../../../../tools/migrate-all';
import { ApiKeys } from '../../src/auth/api-keys';
import { createGatewayApp } from '../../src/create-gateway-app';
import { GATEWAY_SCHEMA } from '../../src/gateway.schema';
import { GATEWAY_MIGRATIONS } from '../../src/migrations';

export const TENANT_A = { tenantId: 'tenant-a', key: 'key-aaaaaaaa' } as const;
export const TENANT_B = { tenantId: 'tenant-b', key: 'key-bbbbbbbb' } as const;
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface GatewayHarness {
  readonly app: NestExpressApplication;
  /** The gateway's own pool (schema gateway); it also reads projector.service_calls. */
  readonly db: DataSource;
  readonly sealer: TargetSealer;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The gateway built as main.ts builds it, on a fresh database with every app's schema (on the
 * shared server unless `databaseUrl` names another empty test database), listening on an
 * ephemeral loopback port (so concurrent requests share one server).
 */
export async function startGateway(suite: string, databaseUrl?: string): Promise<GatewayHarness> {
  databaseUrl ??= await createTestDatabase(suite);
  await migrateAll(databaseUrl);
  const db = await connectDatabase(
    createDataSource({
      url: databaseUrl,
      schema: GATEWAY_SCHEMA,
      migrations: GATEWAY_MIGRATIONS,
      applicationName: `test:${suite}`,
    }),
    databaseUrl,
  );
  const sealer = new TargetSealer(randomBytes(32));
  const app = await createGatewayApp(
    {
      dataSource: db,
      apiKeys: ApiKeys.parse(`${TENANT_A.tenantId}:${TENANT_A.key},${TENANT_B.tenantId}:${TENANT_B.key}`),
      sealer,
      logLevel: 'silent',
    },
    BODY_LIMIT_BYTES,
  );
  app.useLogger(app.get(Logger)); // as startNestApp does: Nest's own lines go through pino (silent here)
  await app.init();
  await app.listen(0, '127.0.0.1');
  return {
    app,
    db,
    sealer,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

export const bearer = (tenant: { key: string }) => `Bearer ${tenant.key}`;
