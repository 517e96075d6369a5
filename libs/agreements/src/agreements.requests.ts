/** The agreements feature's request bodies, checked by the validation pipe. */
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { OffsetDays, OffsetWorkingDays } from '@app/http';

// The body that sets the agreement's review date: the API's pipe and the web app's form validate with this class.

/** The agreement's review date, aligned to an anchor of the partnership. */
export class AgreementReviewDto {
  @ApiProperty({ description: 'A partnership anchor to align to' })
  @IsUUID()
  anchorId!: string;

  @OffsetDays((o: AgreementReviewDto) => o.offsetWorkingDays === undefined)
  offsetDays?: number;

  @OffsetWorkingDays()
  offsetWorkingDays?: number;
}
