import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `{id}` is a UUID: anything else is refused before any lookup, as 400 rather than a silent 404. */
@Injectable()
export class ServiceCallIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (UUID.test(value)) return value.toLowerCase();
    throw new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', [
      { field: 'id', problems: ['id must be a UUID'] },
    ]);
  }
}
