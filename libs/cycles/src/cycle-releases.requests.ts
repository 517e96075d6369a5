/** What the API accepts to redact a history entry's field (its pipe validates with this class). */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** One personal field of one history entry to redact, and why. */
export class RedactEntryDto {
  @ApiProperty({ example: 'insight', maxLength: 200, description: 'The field of the entry’s payload (a JSON Pointer without its leading slash for a nested one: `pledges/0/description`)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  field!: string;

  @ApiProperty({ example: 'Names a resident who did not agree to be named', maxLength: 2000 })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}
