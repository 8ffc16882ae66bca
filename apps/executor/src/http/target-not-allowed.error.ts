/** Raised when the address policy refuses a target; recognised by `code` even after undici wraps or rethrows it. */
export class TargetNotAllowedError extends Error {
  readonly code = 'ERR_TARGET_NOT_ALLOWED';

  constructor(message: string) {
    super(message);
    this.name = 'TargetNotAllowedError';
  }
}
