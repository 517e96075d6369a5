/** Erasing a person over the API (admins): UK GDPR article 17, with the history's proof kept. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { type Erased, EraseUserDto, ErasureService } from '@app/data-protection';
import { IdPipe } from '@app/http';
import { AdminOnly, Caller } from '../http/auth.guard';

@ApiTags('data protection')
@ApiBearerAuth()
@Controller('v1/users')
export class ErasureController {
  constructor(private readonly erasure: ErasureService) {}

  @Post(':id/erase')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erases a person (admins), with a reason',
    description:
      'Their name becomes "Former member of <organisation>" (colleagues’ notifications of work they handed over name them so too), their email, password, identities, tokens and sessions go, their notifications too; ' +
      'what they wrote in cycles’ histories becomes "[erased]" in the history, views and exports, and every cycle touched gains a PERSONAL_DATA_ERASED entry: ' +
      '`verify` stays intact (hash scheme 4 hashed digests, not texts). Entries they wrote under the schemes before 4 keep their texts (`retained`; docs/data-protection.md). ' +
      'Refused (422) for the last active admin, and for a person with open tasks (hand them over first).',
  })
  @ApiBody({ type: EraseUserDto })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        cycleIds: { type: 'array', items: { type: 'string' } },
        agreementPartnershipIds: { type: 'array', items: { type: 'string' } },
        released: { type: 'integer' },
        retained: { type: 'integer' },
      },
    },
  })
  @ApiForbiddenResponse({ description: 'The caller is not a platform admin' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiUnprocessableEntityResponse({ description: 'The last active admin, or a person with open tasks' })
  erase(@Caller() caller: Principal, @Param('id', new IdPipe('user')) id: string, @Body() body: EraseUserDto): Promise<Erased> {
    return this.erasure.erase(caller, id, body);
  }
}
