/** The milestones feature's request bodies, checked by the validation pipe. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsUUID, ValidateIf } from 'class-validator';
import { OffsetDays, OffsetWorkingDays } from '@app/http';
import { MILESTONE_KINDS } from './milestone.entity';

// The body that adds a milestone: the API's pipe and the web app's form validate with this class.

export class CreateMilestoneDto {
  @ApiProperty({ enum: MILESTONE_KINDS }) @IsIn(MILESTONE_KINDS) kind!: (typeof MILESTONE_KINDS)[number];

  @ApiPropertyOptional({ description: 'An absolute time (ISO 8601); or give anchorId with an offset' })
  @ValidateIf((o: CreateMilestoneDto) => o.anchorId === undefined || o.dueAt !== undefined)
  @IsISO8601({ strict: true })
  dueAt?: string;

  @ApiPropertyOptional({ description: 'A partnership anchor to align to' })
  @ValidateIf((o: CreateMilestoneDto) => o.dueAt === undefined || o.anchorId !== undefined)
  @IsUUID()
  anchorId?: string;

  @OffsetDays((o: CreateMilestoneDto) => o.anchorId !== undefined && o.offsetWorkingDays === undefined)
  offsetDays?: number;

  @OffsetWorkingDays()
  offsetWorkingDays?: number;
}
