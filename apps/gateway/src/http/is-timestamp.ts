import { ValidateBy, ValidationOptions } from 'class-validator';
import { isTimestamp } from '../service-calls/timestamp';

export { isTimestamp };

export function IsTimestamp(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: isTimestamp,
        defaultMessage: (args) => `${args?.property} must be an RFC 3339 date-time that exists, e.g. 2026-11-23T10:00:00Z`,
      },
    },
    options,
  );
}
