import { InvalidRequestError } from './invalid-request.error';

/** 1–255 printable ASCII characters; also stated in the OpenAPI document. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/** The Idempotency-Key header: required, 1–255 printable ASCII characters. */
export function parseIdempotencyKey(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new InvalidRequestError('Idempotency-Key', 'header Idempotency-Key is required: 1–255 printable ASCII characters');
  }
  return value;
}
