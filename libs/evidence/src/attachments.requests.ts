import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { MAX_WITHDRAW_REASON_LENGTH } from './attachments.service';

export class WithdrawAttachmentDto {
  @ApiProperty({ example: 'The wrong version: superseded by the signed copy', maxLength: MAX_WITHDRAW_REASON_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_WITHDRAW_REASON_LENGTH)
  reason!: string;
}
