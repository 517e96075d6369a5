/** Field decorators the request bodies share: bounded text and lists, page limits, anchor offsets. */
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';

/** A non-empty string of at most `max` characters. */
export const Text = (max: number) => applyDecorators(IsString(), MinLength(1), MaxLength(max));

/** A list of at most `items` non-empty strings of at most `max` characters each. */
export const TextList = (items: number, max: number) => applyDecorators(IsArray(), ArrayMaxSize(items), IsString({ each: true }), MinLength(1, { each: true }), MaxLength(max, { each: true }));

/** `?limit=` of a paginated list: 1 to 100. */
export const PageLimit = (max = 100) =>
  applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(max),
  );

/** May be left out, but not sent as null (IsOptional lets null through, and a null would mean "keep" by accident). */
export const OptionalNotNull = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** Calendar days from an anchor (negative: before it), required when `required` says so. */
export const OffsetDays = <T extends object>(required: (o: T) => boolean) =>
  applyDecorators(ApiPropertyOptional({ description: 'Calendar days from the anchor (negative: before it)' }), ValidateIf(required), IsInt(), Min(-730), Max(730));

/** Working days in England from an anchor (weekends and bank holidays skipped). */
export const OffsetWorkingDays = () =>
  applyDecorators(ApiPropertyOptional({ description: 'Working days in England from the anchor (weekends and bank holidays skipped)' }), IsOptional(), IsInt(), Min(-500), Max(500));
