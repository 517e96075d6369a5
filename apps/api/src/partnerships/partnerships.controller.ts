import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { AgreementsService } from '@app/agreements';
import { MilestonesService } from '@app/milestones';
import { PartnershipAggregate, PartnershipsService } from '@app/partnerships';
import { CycleQueriesService, FundingYear, PartnershipMembersService } from '@app/cycles';
import { Caller } from '../http/auth.guard';
import { IdPipe } from '@app/http';
import {
  AddMembersDto,
  AnchorDto,
  CreateAnchorDto,
  CreateOutcomeDto,
  CreatePartnershipDto,
  InvitationsToJoinDto,
  InvitedDto,
  OutcomeDto,
  PartnershipDto,
  PartnershipSummaryDto,
  RemindersDto,
  TableDeclarationDto,
  TableDto,
  UpdateAnchorDto,
  UpdatePartnershipDto,
  mapAnchor,
  mapDeclaration,
  mapInvitationToJoin,
  mapInvited,
  mapOutcome,
  mapPartnership,
  mapPartnershipSummary,
} from './dto/partnerships.dto';

const PartnershipId = () => Param('id', new IdPipe('partnership'));

@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnerships')
export class PartnershipsController {
  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly milestones: MilestonesService,
    private readonly members: PartnershipMembersService,
    private readonly cycles: CycleQueriesService,
    private readonly agreements: AgreementsService,
  ) {}

  @Get(':id/funding')
  @ApiOperation({
    summary: 'Pledged and committed cash per member organisation, per financial year (1 April to 31 March)',
    description: 'A pledge counts in the year it was made (its latest version per cycle), a commitment in the year of the consent; cancelled cycles are left out.',
  })
  @ApiOkResponse({ description: '{ years: [{ year: "2027-28", byOrganisation: [{ organisationId, pledgedPence, committedPence }] }] }' })
  async funding(@Caller() caller: Principal, @PartnershipId() id: string): Promise<{ years: FundingYear[] }> {
    return { years: await this.cycles.fundingByYear(caller, id) };
  }

  @Post()
  @ApiOperation({ summary: 'Open a partnership (admin or a commissioner user)' })
  @ApiCreatedResponse({ type: PartnershipDto })
  async create(@Caller() caller: Principal, @Body() body: CreatePartnershipDto): Promise<PartnershipDto> {
    return this.view(caller, await this.partnerships.create(caller, body));
  }

  @Get()
  @ApiOperation({ summary: "Partnerships the caller's organisation belongs to" })
  @ApiOkResponse({ type: [PartnershipSummaryDto] })
  async list(@Caller() caller: Principal): Promise<PartnershipSummaryDto[]> {
    return (await this.partnerships.list(caller)).map(mapPartnershipSummary);
  }

  @Get(':id')
  @ApiOkResponse({ type: PartnershipDto })
  async get(@Caller() caller: Principal, @PartnershipId() id: string): Promise<PartnershipDto> {
    return this.view(caller, await this.partnerships.get(caller, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the name, or publish or withdraw the public page (a commissioner member); a destination or principles propose a new version of the agreement',
    description:
      'The destination and principles are the partnership agreement’s: given here, they (with horizonYear, or the year of the version under consultation) propose a new version, ' +
      'as PROPOSE_AGREEMENT does, and the view shows them once every member has consented to it.',
  })
  @ApiOkResponse({ type: PartnershipDto })
  async update(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Body() body: UpdatePartnershipDto,
  ): Promise<PartnershipDto> {
    const { destination, principles, horizonYear, ...rest } = body;
    if (destination !== undefined || principles !== undefined || horizonYear !== undefined) {
      await this.agreements.proposeFromPartnership(caller, id, { destination, principles, horizonYear });
    }
    return this.view(caller, await this.partnerships.update(caller, id, rest));
  }

  @Delete(':id/members/:organisationId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member organisation (a commissioner member)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'It still co-owns unfinished cycles (named), or the partnership is archived' })
  async removeMember(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Param('organisationId', new IdPipe('member')) organisationId: string,
  ): Promise<void> {
    await this.members.remove(caller, id, organisationId);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Archive the partnership (a commissioner member)',
    description: 'Read-only from then on: every write to it or its cycles answers 409. Its scheduled milestones are cancelled.',
  })
  @ApiOkResponse({ type: PartnershipDto })
  async archive(@Caller() caller: Principal, @PartnershipId() id: string): Promise<PartnershipDto> {
    await this.milestones.archivePartnership(caller, id);
    return this.view(caller, await this.partnerships.get(caller, id));
  }

  /** The view with its pending invitations. */
  private async view(caller: Principal, aggregate: PartnershipAggregate): Promise<PartnershipDto> {
    return mapPartnership(aggregate, await this.partnerships.invitations(caller, aggregate.partnership.id));
  }

  @Get(':id/invitations')
  @ApiOperation({ summary: 'The organisations invited and not yet answering (a member)' })
  @ApiOkResponse({ type: [InvitedDto] })
  async invitations(@Caller() caller: Principal, @PartnershipId() id: string): Promise<{ items: InvitedDto[] }> {
    return { items: (await this.partnerships.invitations(caller, id)).map(mapInvited) };
  }

  @Post(':id/invitations/:organisationId/accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept the invitation of an organisation (a lead of that organisation, or an admin): it becomes a member',
    description: '404 to anyone of another organisation; 403 to its members who are not leads; 422 when it was answered already; 409 when the partnership is archived.',
  })
  @ApiOkResponse({ type: PartnershipDto })
  async acceptInvitation(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Param('organisationId', new IdPipe('invitation')) organisationId: string,
  ): Promise<PartnershipDto> {
    await this.partnerships.answerInvitation(caller, id, organisationId, 'accepted');
    return this.view(caller, await this.partnerships.get(caller, id));
  }

  @Post(':id/invitations/:organisationId/decline')
  @HttpCode(204)
  @ApiOperation({ summary: 'Decline the invitation of an organisation (a lead of that organisation, or an admin)' })
  @ApiNoContentResponse()
  async declineInvitation(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Param('organisationId', new IdPipe('invitation')) organisationId: string,
  ): Promise<void> {
    await this.partnerships.answerInvitation(caller, id, organisationId, 'declined');
  }

  @Post(':id/members')
  @ApiOperation({
    summary: 'Invite organisations into the partnership (a commissioner member)',
    description: 'Each is listed in `invited` until one of its leads, or an admin, accepts; only then is it a member. Its leads are told.',
  })
  @ApiCreatedResponse({ type: PartnershipDto })
  async addMembers(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Body() body: AddMembersDto,
  ): Promise<PartnershipDto> {
    return this.view(caller, await this.partnerships.addMembers(caller, id, body.organisationIds));
  }

  @Put(':id/table')
  @ApiOperation({ summary: "Declare what the caller's organisation puts on and keeps off the table (a new version)" })
  @ApiOkResponse({ type: TableDeclarationDto })
  async declareTable(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Body() body: TableDto,
  ): Promise<TableDeclarationDto> {
    return mapDeclaration(await this.partnerships.declareTable(caller, id, body.on, body.off));
  }

  @Get(':id/table/:organisationId')
  @ApiOperation({ summary: "Every version of a member's declaration, newest first" })
  @ApiOkResponse({ type: [TableDeclarationDto] })
  async tableHistory(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Param('organisationId', new IdPipe('member')) organisationId: string,
  ): Promise<TableDeclarationDto[]> {
    return (await this.partnerships.tableHistory(caller, id, organisationId)).map(mapDeclaration);
  }

  @Post(':id/outcomes')
  @ApiOperation({ summary: 'Add an outcome with its metrics to the shared outcome framework (a member)' })
  @ApiCreatedResponse({ type: OutcomeDto })
  async addOutcome(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Body() body: CreateOutcomeDto,
  ): Promise<OutcomeDto> {
    return mapOutcome(await this.partnerships.addOutcome(caller, id, body.title, body.metrics));
  }

  @Post(':id/anchors')
  @ApiOperation({ summary: 'Add a dated anchor to the calendar (a commissioner member)' })
  @ApiCreatedResponse({ type: AnchorDto })
  async addAnchor(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Body() body: CreateAnchorDto,
  ): Promise<AnchorDto> {
    return mapAnchor(await this.partnerships.addAnchor(caller, id, body.name, new Date(body.date)));
  }

  @Patch(':id/anchors/:anchorId')
  @ApiOperation({
    summary: 'Move an anchor (a commissioner member)',
    description: 'Every scheduled milestone aligned to it, in every cycle, moves with it in one transaction; each cycle records the move.',
  })
  @ApiOkResponse({ type: AnchorDto })
  async moveAnchor(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Param('anchorId', new IdPipe('anchor')) anchorId: string,
    @Body() body: UpdateAnchorDto,
  ): Promise<AnchorDto & { movedMilestones: number }> {
    const { anchor, moved } = await this.milestones.moveAnchor(caller, id, anchorId, { name: body.name, date: new Date(body.date) });
    return { ...mapAnchor(anchor), movedMilestones: moved };
  }

  @Put(':id/reminders')
  @ApiOperation({ summary: 'Days before each milestone that participants are reminded (a commissioner member)' })
  @ApiOkResponse({ type: PartnershipDto })
  async setReminders(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Body() body: RemindersDto,
  ): Promise<PartnershipDto> {
    return this.view(caller, await this.partnerships.setReminderDays(caller, id, body.days));
  }
}

/** Invitations to join partnerships, as the invited organisation's leads see them. */
@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnership-invitations')
export class PartnershipInvitationsController {
  constructor(private readonly partnerships: PartnershipsService) {}

  @Get()
  @ApiOperation({ summary: "Pending invitations to the caller's organisation (a lead; an admin sees all); anyone else has none" })
  @ApiOkResponse({ type: InvitationsToJoinDto })
  async list(@Caller() caller: Principal): Promise<InvitationsToJoinDto> {
    return { items: (await this.partnerships.invitationsToAnswer(caller)).map(mapInvitationToJoin) };
  }
}
