import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { TenantRequest } from '../http/request-context';
import { ApiKeys } from './api-keys';

/** Bearer API key → tenant. A client never chooses its tenant. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeys) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<TenantRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const tenantId = match ? this.keys.tenantFor(match[1]) : undefined;
    if (!tenantId) throw new ApiError(401, 'UNAUTHENTICATED', 'a valid API key is required: Authorization: Bearer <key>');
    req.tenantId = tenantId;
    return true;
  }
}
