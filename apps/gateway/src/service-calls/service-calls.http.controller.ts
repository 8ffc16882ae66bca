import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { TenantId } from '../auth/tenant-id.decorator';
import { ApiError } from '../http/api-error';
import { correlationIdOf, requestIdOf } from '../http/request-context';
import { ServiceCallIdPipe } from '../http/service-call-id.pipe';
import { ApiErrorResponse } from '../openapi/api-error-response';
import { TRACE_RESPONSE_HEADERS } from '../openapi/trace-response-headers';
import { IDEMPOTENCY_KEY_PATTERN, parseIdempotencyKey } from './idempotency-key';
import { ListServiceCallsQueryDto } from './list-service-calls.query.dto';
import { ServiceCallCancellations } from './service-call-cancellations';
import { ServiceCallQueries } from './service-call-queries';
import { ServiceCallSubmissions } from './service-call-submissions';
import {
  AcceptedServiceCallResponseDto,
  ServiceCallListResponseDto,
  ServiceCallResponseDto,
} from './service-call.response.dto';
import { SubmitServiceCallRequestDto } from './submit-service-call.request.dto';

const LOCATION = { Location: { description: '/v1/service-calls/{id}', required: true, schema: { type: 'string' } } };
const ID_PARAM = {
  name: 'id',
  format: 'uuid',
  description: 'The call id; anything but a UUID is 400 VALIDATION_FAILED',
} as const;

@ApiTags('service-calls')
@ApiBearerAuth()
@ApiHeader({
  name: 'X-Request-Id',
  required: false,
  description: 'Echoed in X-Request-Id and meta.requestId when 1–128 visible ASCII characters; else one is generated',
})
@ApiHeader({
  name: 'X-Correlation-Id',
  required: false,
  description: 'Carried through every message the request causes; echoed in X-Correlation-Id',
})
@ApiErrorResponse(401, 'UNAUTHENTICATED: missing or unknown API key')
@ApiErrorResponse(
  503,
  'SERVICE_UNAVAILABLE: the gateway cannot reach its database; nothing was accepted, retry after Retry-After seconds',
)
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
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: '1–255 printable ASCII characters; a replay with the same body returns the same call',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source },
  })
  @ApiAcceptedResponse({
    type: AcceptedServiceCallResponseDto,
    description: 'Accepted; Location names the call',
    headers: { ...TRACE_RESPONSE_HEADERS, ...LOCATION },
  })
  @ApiOkResponse({
    type: AcceptedServiceCallResponseDto,
    description: 'Replay of an earlier request with the same key and body: the same call, nothing submitted again',
    headers: {
      ...TRACE_RESPONSE_HEADERS,
      ...LOCATION,
      'Idempotent-Replayed': { description: 'Always "true"', required: true, schema: { type: 'string', enum: ['true'] } },
    },
  })
  @ApiErrorResponse(400, 'VALIDATION_FAILED (details name the offending fields) or MALFORMED_JSON')
  @ApiErrorResponse(413, 'PAYLOAD_TOO_LARGE: the body is over the limit')
  @ApiErrorResponse(422, 'IDEMPOTENCY_KEY_REUSED: the key was used with a different body')
  async submit(
    @TenantId() tenantId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: SubmitServiceCallRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const key = parseIdempotencyKey(idempotencyKey);
    const outcome = await this.submissions.submit({
      tenantId,
      idempotencyKey: key,
      request: body,
      requestId: requestIdOf(req),
      correlationId: correlationIdOf(req),
    });
    if (outcome.kind === 'key-reused') {
      throw new ApiError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
      );
    }
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
  @ApiOkResponse({
    type: ServiceCallListResponseDto,
    description: 'One page; meta.nextCursor leads to the next',
    headers: TRACE_RESPONSE_HEADERS,
  })
  @ApiErrorResponse(400, 'VALIDATION_FAILED: a filter, limit or cursor is not valid')
  async list(@TenantId() tenantId: string, @Query() query: ListServiceCallsQueryDto, @Req() req: Request) {
    const page = await this.queries.list(tenantId, query);
    return { data: page.items, meta: { requestId: requestIdOf(req), nextCursor: page.nextCursor } };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A call with its status, target (redacted), attempts and result', operationId: 'getServiceCall' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({
    type: ServiceCallResponseDto,
    description: 'The call; one accepted but not yet projected shows status Accepted',
    headers: TRACE_RESPONSE_HEADERS,
  })
  @ApiErrorResponse(400, 'VALIDATION_FAILED: the id is not a UUID')
  @ApiErrorResponse(404, "NOT_FOUND: no such call for this tenant (another tenant's call included)")
  async get(@TenantId() tenantId: string, @Param('id', ServiceCallIdPipe) id: string, @Req() req: Request) {
    const call = await this.queries.findById(tenantId, id);
    if (!call) throw new ApiError(404, 'NOT_FOUND', 'no such service call');
    return { data: call, meta: { requestId: requestIdOf(req) } };
  }

  @Delete(':id')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Cancel a call that has not started',
    description:
      'A scheduled call is handed to the executor SCHEDULER_TIMER_LEAD_MS (default 1 s) before its dueAt so that it starts on time; from then on it is Running and can no longer be cancelled. A cancellation that was requested (202) but reached the scheduler after the hand-over leaves the call to run: its final status tells which happened.',
    operationId: 'cancelServiceCall',
  })
  @ApiParam(ID_PARAM)
  @ApiAcceptedResponse({
    type: AcceptedServiceCallResponseDto,
    description: 'Cancellation requested (or already cancelled)',
    headers: TRACE_RESPONSE_HEADERS,
  })
  @ApiErrorResponse(400, 'VALIDATION_FAILED: the id is not a UUID')
  @ApiErrorResponse(404, "NOT_FOUND: no such call for this tenant (another tenant's call included)")
  @ApiErrorResponse(409, 'CALL_ALREADY_STARTED: the call is Running, Succeeded or Failed')
  async cancel(@TenantId() tenantId: string, @Param('id', ServiceCallIdPipe) id: string, @Req() req: Request) {
    const outcome = await this.cancellations.cancel(tenantId, id, {
      requestId: requestIdOf(req),
      correlationId: correlationIdOf(req),
    });
    switch (outcome.kind) {
      case 'not-found':
        throw new ApiError(404, 'NOT_FOUND', 'no such service call');
      case 'already-started':
        throw new ApiError(409, 'CALL_ALREADY_STARTED', `the call is ${outcome.status} and can no longer be cancelled`);
      case 'already-cancelled':
        return { data: { id: outcome.id, status: 'Cancelled' }, meta: { requestId: requestIdOf(req) } };
      case 'requested':
        return { data: { id: outcome.id, status: outcome.status }, meta: { requestId: requestIdOf(req) } };
    }
  }
}
