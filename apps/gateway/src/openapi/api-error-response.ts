import { ApiResponse } from '@nestjs/swagger';
import { RETRY_AFTER_SECONDS } from '../http/api-exception.filter';
import { ErrorResponseDto } from '../service-calls/service-call.response.dto';
import { TRACE_RESPONSE_HEADERS } from './trace-response-headers';

const RETRY_AFTER = {
  'Retry-After': {
    description: `Seconds to wait before retrying (${RETRY_AFTER_SECONDS})`,
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
};

/** An error answer in the document: the error body, the trace headers, and Retry-After on 503. */
export const ApiErrorResponse = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    type: ErrorResponseDto,
    headers: status === 503 ? { ...TRACE_RESPONSE_HEADERS, ...RETRY_AFTER } : TRACE_RESPONSE_HEADERS,
  });
