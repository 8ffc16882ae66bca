import { randomBytes } from 'node:crypto';
import { TargetSealer } from '@app/common/secrets';
import { DataSource } from 'typeorm';
import { ApiKeys } from '../apps/gateway/src/auth/api-keys';
import { createGatewayApp } from '../apps/gateway/src/create-gateway-app';
import { openApiDocument } from '../apps/gateway/src/openapi/openapi-document';

/** The gateway's OpenAPI document as committed in docs/openapi.json (no database needed to build it). */
export async function buildOpenApiJson(): Promise<string> {
  const app = await createGatewayApp(
    {
      dataSource: new DataSource({ type: 'postgres' }),
      apiKeys: ApiKeys.parse('doc:doc-only-key'),
      sealer: new TargetSealer(randomBytes(32)),
      logLevel: 'silent',
    },
    1024,
  );
  const document = openApiDocument(app);
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}
