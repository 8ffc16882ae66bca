import { HTTP_METHODS } from '@app/common/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const STATUSES = ['Accepted', 'Scheduled', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;

export class ResponseMetaDto {
  @ApiProperty() requestId!: string;
}

export class ListMetaDto extends ResponseMetaDto {
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor!: string | null;
}

export class AcceptedServiceCallDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
}

export class RedactedTargetDto {
  @ApiProperty({ enum: HTTP_METHODS }) method!: string;
  @ApiProperty({
    description:
      'Credential-like query parameters and credentials in the path (webhook tokens, token-like segments) are [REDACTED]',
  })
  url!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Sensitive headers are [REDACTED]' })
  headers!: Record<string, string>;
}

export class ExecutionErrorDto {
  @ApiProperty({
    enum: [
      'NON_2XX_STATUS',
      'REDIRECT_NOT_FOLLOWED',
      'TIMEOUT',
      'CONNECTION_FAILED',
      'TARGET_NOT_ALLOWED',
      'INVALID_TARGET',
      'EXECUTION_INTERRUPTED',
    ],
  })
  code!: string;
  @ApiProperty() message!: string;
}

export class ExecutionResultDto {
  @ApiProperty({ nullable: true, type: 'integer' }) statusCode!: number | null;
  @ApiProperty({ type: 'integer' }) latencyMs!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'At most 8 KB of the response body: UTF-8 text cut on a character boundary, or base64 of its first 8 KB when the body is not text (see responseSnippetEncoding)',
  })
  responseSnippet!: string | null;
  @ApiPropertyOptional({ enum: ['utf8', 'base64'], description: 'How responseSnippet is encoded; absent means utf8' })
  responseSnippetEncoding?: 'utf8' | 'base64';
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Allow-listed response headers only',
  })
  responseHeaders!: Record<string, string>;
  @ApiProperty({ nullable: true, type: ExecutionErrorDto }) error!: ExecutionErrorDto | null;
}

export class ServiceCallDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    enum: STATUSES,
    description:
      'Running: handed to the executor. A scheduled call is handed over SCHEDULER_TIMER_LEAD_MS (default 1 s) before its dueAt and its request leaves at the dueAt, never before.',
  })
  status!: string;
  @ApiProperty({ type: RedactedTargetDto }) target!: RedactedTargetDto;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) dueAt!: string | null;
  @ApiProperty({ type: 'integer' }) timeoutMs!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ type: 'integer', description: 'Execution attempts made so far' }) attempts!: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: ExecutionResultDto, description: 'Null until the call has run' })
  result!: ExecutionResultDto | null;
}

export class AcceptedServiceCallResponseDto {
  @ApiProperty({ type: AcceptedServiceCallDto }) data!: AcceptedServiceCallDto;
  @ApiProperty({ type: ResponseMetaDto }) meta!: ResponseMetaDto;
}

export class ServiceCallResponseDto {
  @ApiProperty({ type: ServiceCallDto }) data!: ServiceCallDto;
  @ApiProperty({ type: ResponseMetaDto }) meta!: ResponseMetaDto;
}

export class ServiceCallListResponseDto {
  @ApiProperty({ type: [ServiceCallDto] }) data!: ServiceCallDto[];
  @ApiProperty({ type: ListMetaDto }) meta!: ListMetaDto;
}

export class FieldProblemDto {
  @ApiProperty({ example: 'target.url', description: 'A body field path, a query parameter, `id` or a header name' })
  field!: string;
  @ApiProperty({ type: [String] }) problems!: string[];
}

export class ErrorBodyDto {
  @ApiProperty({
    example: 'VALIDATION_FAILED',
    description:
      'Stable upper-case code: VALIDATION_FAILED, MALFORMED_JSON, UNAUTHENTICATED, NOT_FOUND, CALL_ALREADY_STARTED, IDEMPOTENCY_KEY_REUSED, PAYLOAD_TOO_LARGE, SERVICE_UNAVAILABLE, ...',
  })
  code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'For VALIDATION_FAILED: the offending fields' })
  details?: FieldProblemDto[];
}

export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDto }) error!: ErrorBodyDto;
  @ApiProperty({ type: ResponseMetaDto }) meta!: ResponseMetaDto;
}
