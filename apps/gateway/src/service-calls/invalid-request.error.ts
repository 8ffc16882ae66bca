/**
 * A request the gateway refuses before doing anything: the exception filter answers it as
 * 400 VALIDATION_FAILED with `details: [{ field, problems: [message] }]`.
 */
export class InvalidRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}
