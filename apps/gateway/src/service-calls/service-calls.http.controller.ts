import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation,
  ApiPayloadTooLargeResponse, ApiBadRequestResponse, ApiTags, ApiUnauthorizedResponse, ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { TenantId } from '../auth/tenant-id.decorator';
import { ApiError } from '../http/api-error';
import { correlationIdOf, requestIdOf } from '../http/request-context';
import { parseIdempotencyKey } from './idempotency-key';
import { ListServiceCallsQueryDto } from './list-service-calls.query.dto';
import { ServiceCallCancellations } from './service-call-cancellations';
import { ServiceCallQueries } from './service-call-queries';
import { ServiceCallSubmissions } from './service-call-submissions';
import {
  AcceptedServiceCallResponseDto, ErrorResponseDto, ServiceCallListResponseDto, ServiceCallResponseDto,
} from './service-call.response.dto';
import { SubmitServiceCallRequestDto } from './submit-service-call.request.dto';

@ApiTags('service-calls')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or unknown API key' })
@UseGuards(ApiKeyGuard)
@Controller('v1/service-calls')
export class ServiceCallsHttpController {
  constructor(
    private readonly submissions: ServiceCallSubmissions,
    private readonly queries: ServiceCallQueries,
    private readonly cancellations: ServiceCallCancellations,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Submit an HTTP call to run now or at dueAt', operationId: 'submitServiceCall' })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1–255 printable characters; a replay with the same body returns the same call' })
  @ApiAcceptedResponse({ type: AcceptedServiceCallResponseDto, description: 'Accepted; Location names the call' })
  @ApiOkResponse({ type: AcceptedServiceCallResponseDto, description: 'Replay of an earlier request (header Idempotent-Replayed: true)' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'VALIDATION_FAILED or MALFORMED_JSON' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'IDEMPOTENCY_KEY_REUSED' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'PAYLOAD_TOO_LARGE' })
  async submit(
    @TenantId() tenantId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: SubmitServiceCallRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const key = parseIdempotencyKey(idempotencyKey);
    const outcome = await this.submissions.submit({ tenantId, idempotencyKey: key, request: body, requestId: requestIdOf(req), correlationId: correlationIdOf(req) });
    res.location(`/v1/service-calls/${outcome.id}`);
    if (outcome.kind === 'replayed') {
      const current = await this.queries.findById(tenantId, outcome.id);
      res.status(200).setHeader('Idempotent-Replayed', 'true');
      return { data: { id: outcome.id, status: current?.status ?? 'Accepted' }, meta: { requestId: requestIdOf(req) } };
    }
    res.status(202);
    return { data: { id: outcome.id, status: 'Accepted' }, meta: { requestId: requestIdOf(req) } };
  }

  @Get()
  @ApiOperation({ summary: "List the tenant's calls, newest first", operationId: 'listServiceCalls' })
  @ApiOkResponse({ type: ServiceCallListResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async list(@TenantId() tenantId: string, @Query() query: ListServiceCallsQueryDto, @Req() req: Request) {
    const page = await this.queries.list(tenantId, query);
    return { data: page.items, meta: { requestId: requestIdOf(req), nextCursor: page.nextCursor } };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A call with its status, target (redacted), attempts and result', operationId: 'getServiceCall' })
  @ApiOkResponse({ type: ServiceCallResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@TenantId() tenantId: string, @Param('id') id: string, @Req() req: Request) {
    const call = await this.queries.findById(tenantId, id);
    if (!call) throw new ApiError(404, 'NOT_FOUND', 'no such service call');
    return { data: call, meta: { requestId: requestIdOf(req) } };
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a call that has not started', operationId: 'cancelServiceCall' })
  @ApiAcceptedResponse({ type: AcceptedServiceCallResponseDto, description: 'Cancellation requested (or already cancelled)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'CALL_ALREADY_STARTED' })
  async cancel(@TenantId() tenantId: string, @Param('id') id: string, @Req() req: Request) {
    const outcome = await this.cancellations.cancel(tenantId, id, { requestId: requestIdOf(req), correlationId: correlationIdOf(req) });
    return { data: { id: outcome.id, status: outcome.status }, meta: { requestId: requestIdOf(req) } };
  }
}
