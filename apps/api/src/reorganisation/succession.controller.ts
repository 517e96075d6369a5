/** Organisations' successions over the API (admins): scheduled for a vesting date, previewed, changed, cancelled, resumed when held. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { IdPipe } from '@app/http';
import { ReorganisationService, type SuccessionPlan, type SuccessionView } from '@app/reorganisation';
import { AdminOnly, Caller } from '../http/auth.guard';

@ApiTags('reorganisation')
@ApiBearerAuth()
@Controller('v1/organisations')
export class SuccessionController {
  constructor(private readonly reorganisation: ReorganisationService) {}

  @Post(':id/succession')
  @AdminOnly()
  @ApiOperation({
    summary: 'Schedules an organisation’s succession by one or more successors on a date (admins)',
    description:
      'Body `{ effectiveAt, successors: [{ organisationId, cycleIds? }] }`. With several successors every unfinished cycle the organisation co-owns is assigned to exactly one. ' +
      'Refused (422) when a cycle is left unassigned or assigned twice, or when the cycles’ rules would refuse ORGANISATION_SUCCEEDED (naming each cycle and why); 409 when one is scheduled already.',
  })
  @ApiForbiddenResponse({ description: 'The caller is not a platform admin' })
  @ApiNotFoundResponse({ description: 'No such organisation' })
  @ApiConflictResponse({ description: 'A succession of this organisation is already scheduled' })
  @ApiUnprocessableEntityResponse({ description: 'Cycles unassigned, assigned twice, or refused by their rules; a dissolved organisation' })
  schedule(@Caller() caller: Principal, @Param('id', new IdPipe('organisation')) id: string, @Body() body: Record<string, unknown>): Promise<SuccessionView> {
    return this.reorganisation.schedule(caller, id, body);
  }

  @Post(':id/succession/preview')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'What a succession would move, and what the cycles’ rules refuse, changing nothing (admins)' })
  preview(@Caller() caller: Principal, @Param('id', new IdPipe('organisation')) id: string, @Body() body: Record<string, unknown>): Promise<SuccessionPlan> {
    return this.reorganisation.preview(caller, id, body);
  }

  @Put(':id/succession')
  @AdminOnly()
  @ApiOperation({
    summary: 'Changes the scheduled succession before its date (admins)',
    description: 'The body of a new one, checked the same way (400, 422); its revision goes up and the people concerned are told. 409 once the date has come.',
  })
  @ApiNotFoundResponse({ description: 'No succession of this organisation is scheduled' })
  @ApiConflictResponse({ description: 'The date has come' })
  @ApiUnprocessableEntityResponse({ description: 'Cycles unassigned, assigned twice, or refused by their rules' })
  change(@Caller() caller: Principal, @Param('id', new IdPipe('organisation')) id: string, @Body() body: Record<string, unknown>): Promise<SuccessionView> {
    return this.reorganisation.change(caller, id, body);
  }

  @Post(':id/succession/resume')
  @AdminOnly()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resumes a held succession (admins)',
    description:
      'A succession is held when, on its date, the rules of some partnership’s cycles refused it (its `partnerships` name them). Once they allow it, this carries it out there now; 422 naming the cycles while they still refuse.',
  })
  @ApiNotFoundResponse({ description: 'No succession of this organisation is held' })
  @ApiUnprocessableEntityResponse({ description: 'The cycles still refuse it' })
  resume(@Caller() caller: Principal, @Param('id', new IdPipe('organisation')) id: string): Promise<SuccessionView> {
    return this.reorganisation.resume(caller, id);
  }

  @Get(':id/succession')
  @AdminOnly()
  @ApiOperation({ summary: 'The organisation’s succession scheduled or held (admins); 404 when none is' })
  get(@Caller() caller: Principal, @Param('id', new IdPipe('organisation')) id: string): Promise<SuccessionView> {
    return this.reorganisation.get(caller, id);
  }

  @Delete(':id/succession')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancels the scheduled succession before its date (admins); 409 once the date has come' })
  async cancel(@Caller() caller: Principal, @Param('id', new IdPipe('organisation')) id: string): Promise<void> {
    await this.reorganisation.cancel(caller, id);
  }
}
