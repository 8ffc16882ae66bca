import { HttpException } from '@nestjs/common';

/** An error the API answers with `{ error: { code, message, details? } }`; the code is stable. */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message, status);
  }
}
