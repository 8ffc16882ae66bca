import { ApiError } from '../http/api-error';

const PRINTABLE = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key header: required, 1–255 printable ASCII characters. */
export function parseIdempotencyKey(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !PRINTABLE.test(value)) {
    throw new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', [
      { field: 'Idempotency-Key', problems: ['header Idempotency-Key is required: 1–255 printable ASCII characters'] },
    ]);
  }
  return value;
}
