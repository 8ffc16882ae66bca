import type { HeadersObject } from '@nestjs/swagger';

/** The headers every answer carries (see http/trace-headers.ts), as the OpenAPI document states them. */
export const TRACE_RESPONSE_HEADERS: HeadersObject = {
  'X-Request-Id': {
    description:
      "The client's X-Request-Id when it sent a valid one (1–128 visible ASCII characters), else a generated UUID; equals meta.requestId",
    required: true,
    schema: { type: 'string' },
  },
  'X-Correlation-Id': {
    description:
      'Only when the request had X-Correlation-Id: the id the request is traced under (the one sent when valid, else the request id)',
    schema: { type: 'string' },
  },
};
