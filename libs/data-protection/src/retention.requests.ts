/** The retention policy's request body, checked by the API's pipe and the admin page's form alike. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, Max, Min, ValidateNested, ValidationArguments, registerDecorator } from 'class-validator';
import { MAX_KEEP_DAYS, RETENTION_RECORDS, type RetentionApplier, type RetentionRecord } from './retention.policy';

export class RetentionRuleDto {
  @ApiProperty({ enum: RETENTION_RECORDS, example: 'notifications' })
  @IsIn(RETENTION_RECORDS, { message: `record must be one of ${RETENTION_RECORDS.join(', ')}` })
  record!: RetentionRecord;

  @ApiProperty({ example: 365, minimum: 0, maximum: MAX_KEEP_DAYS, description: 'Whole days the record is kept (webSessions: 0 = removed once expired)' })
  @IsInt({ message: 'keepDays must be a whole number of days' })
  @Min(0, { message: 'keepDays must be 0 or more' })
  @Max(MAX_KEEP_DAYS, { message: `keepDays must be at most ${MAX_KEEP_DAYS} (100 years)` })
  keepDays!: number;

  /** Shown by GET; accepted back so that a client may PUT what it read, and ignored. */
  @ApiPropertyOptional({ enum: ['job', 'erasure'], description: 'Read-only: who applies the rule (the daily job, or the erasure of personal data). Ignored when sent.' })
  @IsOptional()
  @IsIn(['job', 'erasure'])
  appliedBy?: RetentionApplier;
}

/** The rules name every record once, no more and no less: a PUT is the whole policy. */
function EveryRecordOnce() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'everyRecordOnce',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (rules: unknown) => {
          if (!Array.isArray(rules)) return true;
          const records = rules.map((r: { record?: unknown }) => r?.record);
          return RETENTION_RECORDS.every((record) => records.filter((r) => r === record).length === 1);
        },
        defaultMessage: ({ value }: ValidationArguments) => {
          const records = Array.isArray(value) ? value.map((r: { record?: unknown }) => r?.record) : [];
          const twice = RETENTION_RECORDS.filter((record) => records.filter((r) => r === record).length > 1);
          const missing = RETENTION_RECORDS.filter((record) => !records.includes(record));
          return [missing.length ? `must name every record: ${missing.join(', ')} missing` : '', twice.length ? `must name each record once: ${twice.join(', ')} repeated` : '']
            .filter(Boolean)
            .join('; ');
        },
      },
    });
}

export class UpdateRetentionDto {
  @ApiProperty({ type: [RetentionRuleDto], description: 'Every record once (the whole policy)' })
  @IsDefined({ message: 'rules is required: the whole policy, every record once' })
  @IsArray()
  @ArrayMaxSize(RETENTION_RECORDS.length * 2)
  @ValidateNested({ each: true })
  @Type(() => RetentionRuleDto)
  @EveryRecordOnce()
  rules!: RetentionRuleDto[];
}
