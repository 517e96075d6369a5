/** The webhooks feature's request bodies, checked by the validation pipe. */
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches, MaxLength } from 'class-validator';

// The body that subscribes a partner system: the API's pipe and the web app's form validate with this class.

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://partner.example.org/hooks/cocommission' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ type: [String], example: ['*'], description: 'Event types (history entry types: LAUNCH, CONSENT, MILESTONE_SCHEDULED…) or "*" for all' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(/^(\*|[A-Z][A-Z_]{1,60})$/, { each: true, message: 'each event must be an event type such as CONSENT, or *' })
  events!: string[];
}
