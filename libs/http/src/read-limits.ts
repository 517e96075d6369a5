/** Marking routes whose answers are expensive, so each person may ask for only so many a minute. */
import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';

export const EXPENSIVE_READ = 'cocommission:expensive-read';

/**
 * The route's answer costs far more than a page (an export, the history's verification, the web
 * cycle page): each person may ask for so many a minute (ReadLimiter, `EXPENSIVE_READS_PER_MINUTE`).
 */
export const ExpensiveRead = () =>
  applyDecorators(
    SetMetadata(EXPENSIVE_READ, true),
    ApiTooManyRequestsResponse({ description: 'More of these reads than EXPENSIVE_READS_PER_MINUTE allows a person in a minute: try again after Retry-After seconds' }),
  );
