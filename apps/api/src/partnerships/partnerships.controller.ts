/** Partnerships over the API: opening and reading them, members, invitations, governance, tables, outcomes and anchors. */
import { Body, Controller, Delete, Get, HttpCode, Inject, Logger, Param, Patch, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Principal } from '@app/accounts';
import { AgreementsService } from '@app/agreements';
import { MilestonesService } from '@app/milestones';
import {
  Decided,
  PartnershipAggregate,
  PartnershipCalendarService,
  PartnershipFrameworkService,
  PartnershipGovernanceService,
  PartnershipInvitationsService,
  PartnershipsService,
} from '@app/partnerships';
import { HistoryEntryDto, VerifyDto, mapHistoryEntry } from '../cycles/dto/cycles.dto';
import { CycleQueriesService, FundingYear, PartnershipMembersService } from '@app/cycles';
import { Caller } from '../http/auth.guard';
import { HistoryExportRoute, sendHistoryExport } from '../http/history-export';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { IdPipe } from '@app/http';
import {
  AddMembersDto,
  AnchorDto,
  CreateAnchorDto,
  CreateOutcomeDto,
  CreatePartnershipDto,
  InvitationsToJoinDto,
  InvitedListDto,
  OutcomeDto,
  PartnershipDto,
  ProposalDto,
  ProposalListDto,
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
  mapProposal,
} from './dto/partnerships.dto';

const PartnershipId = () => Param('id', new IdPipe('partnership'));

@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnerships')
export class PartnershipsController {
  private readonly logger = new Logger(PartnershipsController.name);

  constructor(
    private readonly partnerships: PartnershipsService,
    private readonly partnershipInvitations: PartnershipInvitationsService,
    private readonly governance: PartnershipGovernanceService,
    private readonly framework: PartnershipFrameworkService,
    private readonly calendar: PartnershipCalendarService,
    private readonly milestones: MilestonesService,
    private readonly members: PartnershipMembersService,
    private readonly cycles: CycleQueriesService,
    private readonly agreements: AgreementsService,
    @Inject(CLOCK) private readonly clock: Clock,
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
      'as PROPOSE_AGREEMENT does, and the view shows them once every member has consented to it. ' +
      'Publishing (`public: true`) needs two commissioner members: the first request proposes it (202, listed in `proposals`), the same request of a commissioner member of another organisation agrees and publishes (200). ' +
      'With one commissioner member it publishes at once. Withdrawing happens at once. Each is in the partnership history.',
  })
  @ApiOkResponse({ type: PartnershipDto })
  @ApiAcceptedResponse({ type: PartnershipDto, description: 'Publishing is proposed, waiting for another commissioner member' })
  async update(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: UpdatePartnershipDto, @Res({ passthrough: true }) res: FastifyReply): Promise<PartnershipDto> {
    const { destination, principles, horizonYear, ...rest } = body;
    if (destination !== undefined || principles !== undefined || horizonYear !== undefined) {
      await this.agreements.proposeFromPartnership(caller, id, { destination, principles, horizonYear });
    }
    const { aggregate, decided } = await this.partnerships.update(caller, id, rest);
    if (!decided.done) res.status(202);
    return this.view(caller, aggregate);
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'The partnership history, oldest first: invitations and their answers, removals, proposals and agreements, archive, public page (a member)' })
  @ApiOkResponse({ type: [HistoryEntryDto] })
  async history(@Caller() caller: Principal, @PartnershipId() id: string): Promise<HistoryEntryDto[]> {
    return (await this.governance.historyOf(caller, id)).map(mapHistoryEntry);
  }

  @Get(':id/history/verify')
  @ApiOkResponse({ type: VerifyDto })
  verifyHistory(@Caller() caller: Principal, @PartnershipId() id: string): Promise<VerifyDto> {
    return this.governance.verifyHistory(caller, id);
  }

  @Get(':id/history/export')
  @HistoryExportRoute('The partnership history')
  async exportHistory(@Caller() caller: Principal, @PartnershipId() id: string, @Res() res: FastifyReply): Promise<void> {
    const exportedAt = this.clock.now();
    const { head, pages } = await this.governance.historyExport(caller, id);
    sendHistoryExport(res, this.logger, { history: 'partnership', subjectId: id, subjectKey: 'partnershipId', head, pages, exportedAt });
  }

  @Get(':id/proposals')
  @ApiOperation({ summary: 'Proposals to remove a member, archive or publish, open ones first (a member)' })
  @ApiOkResponse({ type: ProposalListDto })
  async proposals(@Caller() caller: Principal, @PartnershipId() id: string): Promise<ProposalListDto> {
    return { items: (await this.governance.proposals(caller, id)).map(mapProposal) };
  }

  @Post(':id/proposals/:proposalId/agree')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Agree to another organisation’s proposal (a commissioner member of another organisation): it happens now',
    description: 'As sending the proposed request again: the same refusals (409 unfinished cycles or archived, 422) leave the proposal open.',
  })
  @ApiOkResponse({ type: PartnershipDto })
  async agree(@Caller() caller: Principal, @PartnershipId() id: string, @Param('proposalId', new IdPipe('proposal')) proposalId: string): Promise<PartnershipDto> {
    const proposal = await this.governance.proposalToAgree(caller, id, proposalId);
    if (proposal.action === 'archive') await this.milestones.archivePartnership(caller, id);
    if (proposal.action === 'publish') await this.partnerships.update(caller, id, { public: true });
    if (proposal.action === 'remove_member') await this.members.remove(caller, id, proposal.organisationId!);
    return this.view(caller, await this.partnerships.get(caller, id));
  }

  @Delete(':id/proposals/:proposalId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an open proposal (a commissioner member of the organisation that proposed it)' })
  @ApiNoContentResponse()
  async withdrawProposal(@Caller() caller: Principal, @PartnershipId() id: string, @Param('proposalId', new IdPipe('proposal')) proposalId: string): Promise<void> {
    await this.governance.withdrawProposal(caller, id, proposalId);
  }

  @Delete(':id/members/:organisationId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a member organisation (a commissioner member, agreed by a second)',
    description:
      'With another commissioner member, the first request proposes the removal (202 with the proposal) and the same request of a commissioner member of another organisation agrees and removes it (204). ' +
      'With one commissioner member it is removed at once. Each is in the partnership history.',
  })
  @ApiNoContentResponse()
  @ApiAcceptedResponse({ type: ProposalDto, description: 'Proposed, waiting for another commissioner member' })
  @ApiConflictResponse({ description: 'It still co-owns unfinished cycles (named), or the partnership is archived' })
  async removeMember(
    @Caller() caller: Principal,
    @PartnershipId() id: string,
    @Param('organisationId', new IdPipe('member')) organisationId: string,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ProposalDto | void> {
    return proposed(res, await this.members.remove(caller, id, organisationId));
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Archive the partnership (a commissioner member, agreed by a second)',
    description:
      'Read-only from then on: every write to it or its cycles answers 409. Its scheduled milestones are cancelled. ' +
      'With another commissioner member, the first request proposes it (202, listed in `proposals`) and the same request of a commissioner member of another organisation agrees and archives (200).',
  })
  @ApiOkResponse({ type: PartnershipDto })
  @ApiAcceptedResponse({ type: PartnershipDto, description: 'Proposed, waiting for another commissioner member' })
  async archive(@Caller() caller: Principal, @PartnershipId() id: string, @Res({ passthrough: true }) res: FastifyReply): Promise<PartnershipDto> {
    const decided = await this.milestones.archivePartnership(caller, id);
    if (!decided.done) res.status(202);
    return this.view(caller, await this.partnerships.get(caller, id));
  }

  /** The view with its pending invitations and open proposals. */
  private async view(caller: Principal, aggregate: PartnershipAggregate): Promise<PartnershipDto> {
    const id = aggregate.partnership.id;
    const [invited, proposals] = await Promise.all([this.partnershipInvitations.invitations(caller, id), this.governance.proposals(caller, id)]);
    return mapPartnership(
      aggregate,
      invited,
      proposals.filter((p) => p.state === 'open'),
    );
  }

  @Get(':id/invitations')
  @ApiOperation({ summary: 'The organisations invited and not yet answering (a member)' })
  @ApiOkResponse({ type: InvitedListDto })
  async invitations(@Caller() caller: Principal, @PartnershipId() id: string): Promise<InvitedListDto> {
    return { items: (await this.partnershipInvitations.invitations(caller, id)).map(mapInvited) };
  }

  @Post(':id/invitations/:organisationId/accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept the invitation of an organisation (a lead of that organisation, or an admin): it becomes a member',
    description: '404 to anyone of another organisation; 403 to its members who are not leads; 422 when it was answered already; 409 when the partnership is archived.',
  })
  @ApiOkResponse({ type: PartnershipDto })
  async acceptInvitation(@Caller() caller: Principal, @PartnershipId() id: string, @Param('organisationId', new IdPipe('invitation')) organisationId: string): Promise<PartnershipDto> {
    await this.partnershipInvitations.answerInvitation(caller, id, organisationId, 'accepted');
    return this.view(caller, await this.partnerships.get(caller, id));
  }

  @Post(':id/invitations/:organisationId/decline')
  @HttpCode(204)
  @ApiOperation({ summary: 'Decline the invitation of an organisation (a lead of that organisation, or an admin)' })
  @ApiNoContentResponse()
  async declineInvitation(@Caller() caller: Principal, @PartnershipId() id: string, @Param('organisationId', new IdPipe('invitation')) organisationId: string): Promise<void> {
    await this.partnershipInvitations.answerInvitation(caller, id, organisationId, 'declined');
  }

  @Post(':id/members')
  @ApiOperation({
    summary: 'Invite organisations into the partnership (a commissioner member)',
    description: 'Each is listed in `invited` until one of its leads, or an admin, accepts; only then is it a member. Its leads are told.',
  })
  @ApiCreatedResponse({ type: PartnershipDto })
  async addMembers(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: AddMembersDto): Promise<PartnershipDto> {
    return this.view(caller, await this.partnershipInvitations.addMembers(caller, id, body.organisationIds));
  }

  @Put(':id/table')
  @ApiOperation({ summary: "Declare what the caller's organisation puts on and keeps off the table (a new version)" })
  @ApiOkResponse({ type: TableDeclarationDto })
  async declareTable(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: TableDto): Promise<TableDeclarationDto> {
    return mapDeclaration(await this.framework.declareTable(caller, id, body.on, body.off));
  }

  @Get(':id/table/:organisationId')
  @ApiOperation({ summary: "Every version of a member's declaration, newest first" })
  @ApiOkResponse({ type: [TableDeclarationDto] })
  async tableHistory(@Caller() caller: Principal, @PartnershipId() id: string, @Param('organisationId', new IdPipe('member')) organisationId: string): Promise<TableDeclarationDto[]> {
    return (await this.framework.tableHistory(caller, id, organisationId)).map(mapDeclaration);
  }

  @Post(':id/outcomes')
  @ApiOperation({ summary: 'Add an outcome with its metrics to the shared outcome framework (a member)' })
  @ApiCreatedResponse({ type: OutcomeDto })
  async addOutcome(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: CreateOutcomeDto): Promise<OutcomeDto> {
    return mapOutcome(await this.framework.addOutcome(caller, id, body.title, body.metrics));
  }

  @Post(':id/anchors')
  @ApiOperation({ summary: 'Add a dated anchor to the calendar (a commissioner member)' })
  @ApiCreatedResponse({ type: AnchorDto })
  async addAnchor(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: CreateAnchorDto): Promise<AnchorDto> {
    return mapAnchor(await this.calendar.addAnchor(caller, id, body.name, new Date(body.date)));
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
  async setReminders(@Caller() caller: Principal, @PartnershipId() id: string, @Body() body: RemindersDto): Promise<PartnershipDto> {
    return this.view(caller, await this.calendar.setReminderDays(caller, id, body.days));
  }
}

/** 202 with the proposal when the request only proposed (another commissioner member must agree); nothing otherwise. */
function proposed(res: FastifyReply, decided: Decided): ProposalDto | void {
  if (decided.done || !decided.proposal) return;
  res.status(202);
  return mapProposal(decided.proposal);
}

/** Invitations to join partnerships, as the invited organisation's leads see them. */
@ApiTags('partnerships')
@ApiBearerAuth()
@Controller('v1/partnership-invitations')
export class PartnershipInvitationsController {
  constructor(private readonly partnershipInvitations: PartnershipInvitationsService) {}

  @Get()
  @ApiOperation({ summary: "Pending invitations to the caller's organisation (a lead; an admin sees all); anyone else has none" })
  @ApiOkResponse({ type: InvitationsToJoinDto })
  async list(@Caller() caller: Principal): Promise<InvitationsToJoinDto> {
    return { items: (await this.partnershipInvitations.invitationsToAnswer(caller)).map(mapInvitationToJoin) };
  }
}
