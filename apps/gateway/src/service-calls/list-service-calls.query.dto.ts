import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsTimestamp } from '../http/is-timestamp';
import { STATUSES } from './service-call.response.dto';

const asArray = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

export class ListServiceCallsQueryDto {
  @ApiPropertyOptional({
    enum: STATUSES,
    isArray: true,
    maxItems: 6,
    description: 'Repeat to match any of several statuses',
  })
  @IsOptional()
  @Transform(asArray)
  @ArrayMaxSize(6)
  @IsIn(STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    maxItems: 20,
    description: 'Repeat to require several tags (a call must have all of them)',
  })
  @IsOptional()
  @Transform(asArray)
  @ArrayMaxSize(20)
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { each: true, message: 'each tag must be 1–64 characters of [A-Za-z0-9_.:-]' })
  tag?: string[];

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after (inclusive)' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before (exclusive)' })
  @IsOptional()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ maxLength: 512, description: 'Opaque cursor from meta.nextCursor' })
  @IsOptional()
  @MaxLength(512)
  cursor?: string;
}
