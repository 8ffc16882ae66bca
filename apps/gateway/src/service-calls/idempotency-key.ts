import { ApiError } from '../http/api-error';

/** 1–255 printable ASCII characters; also stated in the OpenAPI document. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key header: required, 1–255 printable ASCII characters. */
export function parseIdempotencyKey(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', [
      { field: 'Idempotency-Key', problems: ['header Idempotency-Key is required: 1–255 printable ASCII characters'] },
    ]);
  }
  return value;
}
