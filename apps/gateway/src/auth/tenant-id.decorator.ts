import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { TenantRequest } from '../http/request-context';

/** The tenant the API key guard resolved. */
export const TenantId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenantId = ctx.switchToHttp().getRequest<TenantRequest>().tenantId;
  if (!tenantId) throw new Error('TenantId used on a route without ApiKeyGuard');
  return tenantId;
});
