/** What the API accepts to erase a person (its pipe validates with this class). */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Why a person is erased (recorded in every history they are erased from). */
export class EraseUserDto {
  @ApiProperty({ example: 'Erasure request of 2 December 2026 (UK GDPR article 17), reference DP-2026-114', maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}
