/** The retention policy as the API answers it, and its mapper. */
import { ApiProperty } from '@nestjs/swagger';
import { MAX_KEEP_DAYS, RETENTION_RECORDS, type RetentionApplier, type RetentionRecord, type RetentionRule } from '@app/data-protection';

export class RetentionRuleViewDto {
  @ApiProperty({ enum: RETENTION_RECORDS, example: 'notifications' }) record!: RetentionRecord;
  @ApiProperty({ example: 365, minimum: 0, maximum: MAX_KEEP_DAYS }) keepDays!: number;
  @ApiProperty({
    enum: ['job', 'erasure'],
    description: 'job: the worker’s daily retention run deletes the records; erasure: the erasure of personal data applies it (closedCyclePersonalData), so that the history’s proof stays',
  })
  appliedBy!: RetentionApplier;
}

export class RetentionPolicyDto {
  @ApiProperty({ type: [RetentionRuleViewDto], description: 'Every kind of record, in a fixed order' }) rules!: RetentionRuleViewDto[];
}

export const mapRetentionPolicy = (rules: RetentionRule[]): RetentionPolicyDto => ({
  rules: rules.map(({ record, keepDays, appliedBy }) => ({ record, keepDays, appliedBy })),
});
