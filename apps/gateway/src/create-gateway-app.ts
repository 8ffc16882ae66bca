import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { GatewayDependencies, GatewayModule } from './gateway.module';
import { malformedJson } from './http/malformed-json';
import { serverSpan } from './http/server-span';
import { traceHeaders } from './http/trace-headers';
import { apiValidationPipe } from './http/validation';
import { serveOpenApi } from './openapi/openapi-document';

/** The gateway as main.ts runs it; tests build it the same way. */
export async function createGatewayApp(deps: GatewayDependencies, bodyLimitBytes: number): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(deps), { bufferLogs: true });
  app.use(traceHeaders);
  app.use(serverSpan);
  app.useBodyParser('json', { limit: bodyLimitBytes });
  app.use(malformedJson);
  app.useGlobalPipes(apiValidationPipe());
  app.disable('x-powered-by');
  serveOpenApi(app);
  return app;
}
