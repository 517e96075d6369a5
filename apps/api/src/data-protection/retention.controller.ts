/** The retention policy over the API: read and replaced by a platform admin. */
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { RetentionService, UpdateRetentionDto } from '@app/data-protection';
import { AdminOnly, Caller } from '../http/auth.guard';
import { RetentionPolicyDto, mapRetentionPolicy } from './retention.dto';

@ApiTags('data protection')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/admin/retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @ApiOperation({ summary: 'The retention policy: how many days each kind of record is kept (admin)' })
  @ApiOkResponse({ type: RetentionPolicyDto })
  @ApiForbiddenResponse({ description: 'Not a platform admin' })
  async get(): Promise<RetentionPolicyDto> {
    return mapRetentionPolicy(await this.retention.policy());
  }

  @Put()
  @ApiOperation({
    summary: 'Replace the retention policy (admin)',
    description: 'Every record once; all the rules change together or none does. The worker’s next daily run applies them (docs/data-protection.md#retention).',
  })
  @ApiOkResponse({ type: RetentionPolicyDto })
  @ApiBadRequestResponse({ description: 'An unknown record, a record missing or repeated, or keepDays not a whole number from 0 to 36500; `errors` names each' })
  @ApiForbiddenResponse({ description: 'Not a platform admin' })
  async put(@Caller() caller: Principal, @Body() body: UpdateRetentionDto): Promise<RetentionPolicyDto> {
    return mapRetentionPolicy(await this.retention.update(caller, body));
  }
}
