/** A cycle's milestones and incidents over the API: scheduling, listing, cancelling and retrying. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { MilestonesService, NewMilestone } from '@app/milestones';
import { Caller } from '../http/auth.guard';
import { IdPipe } from '@app/http';
import { CreateMilestoneDto, IncidentDto, MilestoneDto, mapIncident, mapMilestone } from './dto/milestones.dto';

const CycleId = () => Param('id', new IdPipe('cycle'));

@ApiTags('milestones')
@ApiBearerAuth()
@Controller('v1/cycles')
export class MilestonesController {
  constructor(private readonly milestones: MilestonesService) {}

  @Post(':id/milestones')
  @ApiOperation({
    summary: 'Schedule a milestone (a commissioner of the cycle)',
    description: 'Either `{ kind, dueAt }`, or aligned to an anchor: `{ kind, anchorId, offsetDays }` or `{ kind, anchorId, offsetWorkingDays }`.',
  })
  @ApiCreatedResponse({ type: MilestoneDto })
  async schedule(@Caller() caller: Principal, @CycleId() id: string, @Body() body: CreateMilestoneDto): Promise<MilestoneDto> {
    return mapMilestone(await this.milestones.schedule(caller, id, body as NewMilestone));
  }

  @Get(':id/milestones')
  @ApiOkResponse({ type: [MilestoneDto] })
  async list(@Caller() caller: Principal, @CycleId() id: string): Promise<MilestoneDto[]> {
    return (await this.milestones.forVisibleCycle(caller, id)).map(mapMilestone);
  }

  @Delete(':id/milestones/:milestoneId')
  @ApiOperation({ summary: 'Cancel a scheduled milestone (a commissioner of the cycle)' })
  @ApiOkResponse({ type: MilestoneDto })
  async cancel(@Caller() caller: Principal, @CycleId() id: string, @Param('milestoneId', new IdPipe('milestone')) milestoneId: string): Promise<MilestoneDto> {
    return mapMilestone(await this.milestones.cancel(caller, id, milestoneId));
  }

  @Get(':id/incidents')
  @ApiOperation({ summary: 'Milestone handling that failed after its retries' })
  @ApiOkResponse({ type: [IncidentDto] })
  async incidents(@Caller() caller: Principal, @CycleId() id: string): Promise<IncidentDto[]> {
    return (await this.milestones.incidents(caller, id)).map(mapIncident);
  }

  @Post(':id/incidents/:incidentId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Try a failed milestone again (a commissioner of the cycle)' })
  @ApiOkResponse({ type: IncidentDto })
  async retry(@Caller() caller: Principal, @CycleId() id: string, @Param('incidentId', new IdPipe('incident')) incidentId: string): Promise<IncidentDto> {
    return mapIncident(await this.milestones.retryIncident(caller, id, incidentId));
  }
}
