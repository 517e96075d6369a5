/** A person's work handed over to a colleague over the API (`POST /v1/users/:id/handover`). */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { CycleHandoverService, HandoverDto } from '@app/cycles';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';

export class HandoverSkipDto {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ description: 'Why the cycle’s rules kept the person’s seat there (they signed off its review, the colleague may not sit there, the partnership is archived)' })
  reason!: string;
}

export class HandoverAnswerDto {
  @ApiProperty({ type: [String], description: 'The unfinished cycles whose seats are now the colleague’s, by this handover or an earlier one of the same two people (a repeat answers the same)' })
  cycles!: string[];
  @ApiProperty({ type: [HandoverSkipDto], description: 'Cycles where the person keeps a seat, and why' })
  skipped!: HandoverSkipDto[];
}

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1')
export class HandoverController {
  constructor(private readonly handover: CycleHandoverService) {}

  @Post('users/:id/handover')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hand a person’s work over to a colleague (a lead of their organisation, or admin)',
    description:
      'In every unfinished cycle, the person’s panel seat (unless they signed off its review: their sign-off stands) and facilitator role go to the colleague, ' +
      'with a HANDED_OVER entry in the cycle’s history; their open tasks there follow, and the colleague is notified. All in one transaction; a repeat moves nothing more.',
  })
  @ApiOkResponse({ type: HandoverAnswerDto })
  @ApiForbiddenResponse({ description: 'Neither a platform admin nor a lead of the person’s organisation' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiUnprocessableEntityResponse({ description: 'The colleague is not an active user of the same organisation (or is the person)' })
  handOver(@Caller() caller: Principal, @Param('id', new IdPipe('user')) id: string, @Body() body: HandoverDto): Promise<HandoverAnswerDto> {
    return this.handover.handOver(caller, id, body.toUserId);
  }
}
