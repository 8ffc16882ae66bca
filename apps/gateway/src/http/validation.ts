import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiError } from './api-error';

interface FieldProblem {
  readonly field: string;
  readonly problems: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** class-validator at the edge; unknown fields are refused, failures become 400 VALIDATION_FAILED. */
export const apiValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', flatten(errors)),
  });
