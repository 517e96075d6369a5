/** The body that hands a person's work to a colleague: the API's pipe and the web app's form validate with this class. */
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class HandoverDto {
  @ApiProperty({ description: 'The colleague who takes over: an active user of the same organisation' })
  @IsUUID()
  toUserId!: string;
}
