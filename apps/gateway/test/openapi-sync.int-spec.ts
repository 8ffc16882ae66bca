import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TargetSealer } from '@app/common/secrets';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { projectRoot } from '../../../tools/infra/project-root';
import { buildOpenApiJson } from '../../../tools/openapi-json';
import { ApiKeys } from '../src/auth/api-keys';
import { createGatewayApp } from '../src/create-gateway-app';

/** Neither test touches a database: the document is built from the controllers alone. */
describe('gateway OpenAPI document', () => {
  it('docs/openapi.json is in sync with the code', async () => {
    const committed = readFileSync(join(projectRoot(), 'docs', 'openapi.json'), 'utf8');
    const built = await buildOpenApiJson();
    if (built !== committed) {
      throw new Error(
        'docs/openapi.json is out of date with the gateway controllers and DTOs: run `npm run build && npm run openapi` and commit the result',
      );
    }
  });

  describe('served by the gateway', () => {
    let app: NestExpressApplication;

    beforeAll(async () => {
      app = await createGatewayApp(
        {
          dataSource: new DataSource({ type: 'postgres' }),
          apiKeys: ApiKeys.parse('doc:doc-only-key'),
          sealer: new TargetSealer(randomBytes(32)),
          logLevel: 'silent',
        },
        1024,
      );
      app.useLogger(app.get(Logger));
      await app.init();
    });

    afterAll(async () => {
      await app?.close();
    });

    it('answers GET /docs-json with the OpenAPI document, without an API key', async () => {
      const res = await request(app.getHttpServer()).get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths).sort()).toEqual(['/v1/service-calls', '/v1/service-calls/{id}']);
      expect(Object.keys(res.body.paths['/v1/service-calls']).sort()).toEqual(['get', 'post']);
      expect(Object.keys(res.body.paths['/v1/service-calls/{id}']).sort()).toEqual(['delete', 'get']);
      expect(res.body.components.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      });
      expect(res.body).toEqual(JSON.parse(await buildOpenApiJson()));
    });

    it('answers GET /docs with the Swagger UI page', async () => {
      const res = await request(app.getHttpServer()).get('/docs');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toMatch(/swagger/i);
    });
  });
});
