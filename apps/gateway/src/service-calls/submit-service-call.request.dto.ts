import { HTTP_METHODS, HttpMethod } from '@app/common/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { IsTimestamp } from '../http/is-timestamp';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const MAX_HEADERS = 50;
const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;

function IsHeaderMap(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= MAX_HEADERS &&
          Object.entries(value).every(
            ([k, v]) => HEADER_NAME.test(k) && typeof v === 'string' && v.length <= 8192 && !/[\r\n\0]/.test(v),
          ),
        defaultMessage: () =>
          `headers must be an object of at most ${MAX_HEADERS} valid header names with string values (no CR/LF)`,
      },
    },
    options,
  );
}

function IsStringOrObject(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isStringOrObject',
      validator: {
        validate: (value: unknown) => typeof value === 'string' || (typeof value === 'object' && value !== null),
        defaultMessage: () => 'body must be a string or a JSON value (object or array)',
      },
    },
    options,
  );
}

export class TargetRequestDto {
  @ApiProperty({ enum: HTTP_METHODS, example: 'POST' })
  @IsIn(HTTP_METHODS)
  method!: HttpMethod;

  @ApiProperty({ example: 'https://example.com/hook', maxLength: 2048, description: 'http or https URL' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true })
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 8192 },
    maxProperties: MAX_HEADERS,
    description: 'Header name → value; values are strings without CR/LF',
    example: { 'content-type': 'application/json' },
  })
  @IsOptional()
  @IsHeaderMap()
  headers?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'Sent as is when a string; JSON-encoded when an object or array (any JSON inside)',
    oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
    example: { order: 42 },
  })
  // Absent is fine, null is not: IsOptional would let null through and send the text "null".
  @ValidateIf((_, value) => value !== undefined)
  @IsStringOrObject()
  body?: string | object;
}

export class SubmitServiceCallRequestDto {
  @ApiProperty({ type: TargetRequestDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TargetRequestDto)
  target!: TargetRequestDto;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-23T10:00:00Z',
    description: 'Absent or in the past: run now',
  })
  @IsOptional()
  @IsTimestamp()
  dueAt?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: TAG.source, minLength: 1, maxLength: 64 },
    maxItems: 20,
    example: ['billing', 'eu'],
    description: 'Each 1–64 chars of [A-Za-z0-9_.:-]',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(TAG, { each: true, message: 'each tag must be 1–64 characters of [A-Za-z0-9_.:-]' })
  tags?: string[];

  // No `default` keyword: generated clients would make the field required.
  @ApiPropertyOptional({ type: 'integer', minimum: 100, maximum: 10000, description: 'Milliseconds; 10000 when absent' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(10000)
  timeoutMs?: number;
}
