/** The partnership routes' bodies and answers, with the mappers from entities to answers. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min, IsUUID } from 'class-validator';
import {
  AnchorEntity,
  OutcomeEntity,
  PartnershipAggregate,
  InvitationToJoin,
  PartnershipEntity,
  PROPOSAL_ACTIONS,
  PROPOSAL_STATES,
  PartnershipInvitationEntity,
  PartnershipProposalEntity,
  ProposalAction,
  ProposalState,
  TableDeclarationEntity,
} from '@app/partnerships';
import { ORGANISATION_KINDS, OrganisationKind } from '@app/accounts';

// The request bodies are the partnerships feature's (the web app's forms validate with them too).
import { MetricInputDto } from '@app/partnerships';
export { CreateAnchorDto, CreateOutcomeDto, CreatePartnershipDto, MetricInputDto, TableDto, UpdateAnchorDto, UpdatePartnershipDto } from '@app/partnerships';

export class AddMembersDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  organisationIds!: string[];
}

export class TableDeclarationDto {
  @ApiProperty() organisationId!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ type: [String] }) on!: string[];
  @ApiProperty({ type: [String] }) off!: string[];
  @ApiProperty() declaredByUserId!: string;
  @ApiProperty() declaredAt!: string;
}

export const mapDeclaration = (d: TableDeclarationEntity): TableDeclarationDto => ({
  organisationId: d.organisationId,
  version: d.version,
  on: d.on,
  off: d.off,
  declaredByUserId: d.declaredByUserId,
  declaredAt: d.declaredAt.toISOString(),
});

export class MetricDto extends MetricInputDto {
  @ApiProperty() id!: string;
}

export class OutcomeDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: [MetricDto] }) metrics!: MetricDto[];
  @ApiProperty() createdAt!: string;
}

export const mapOutcome = (o: OutcomeEntity): OutcomeDto => ({
  id: o.id,
  title: o.title,
  metrics: o.metrics,
  createdAt: o.createdAt.toISOString(),
});

export class AnchorDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() date!: string;
}

export const mapAnchor = (a: AnchorEntity): AnchorDto => ({ id: a.id, name: a.name, date: a.date.toISOString() });

export class MemberDto {
  @ApiProperty() organisationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind!: OrganisationKind;
  @ApiProperty() joinedAt!: string;
  @ApiPropertyOptional({ type: TableDeclarationDto, nullable: true, description: 'The latest declaration' })
  table!: TableDeclarationDto | null;
}

export class PartnershipSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) destination!: string | null;
  @ApiProperty({ type: [String] }) principles!: string[];
  @ApiProperty({ type: [Number], description: 'Days before each milestone that participants are reminded' })
  reminderDays!: number[];
  @ApiProperty({ description: 'An archived partnership and its cycles are read-only (writes: 409)' }) archived!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) archivedAt!: string | null;
  @ApiProperty({ description: 'Whether its public page is published (the web app serves it at /public/partnerships/{id}, without sign-in, unless archived)' })
  public!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class InvitedDto {
  @ApiProperty() organisationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind!: OrganisationKind;
  @ApiProperty() invitedAt!: string;
}

export const mapInvited = (i: PartnershipInvitationEntity): InvitedDto => ({
  organisationId: i.organisationId,
  name: i.organisation?.name ?? '',
  kind: i.organisation?.kind ?? 'community',
  invitedAt: i.invitedAt.toISOString(),
});

export class InvitedListDto {
  @ApiProperty({ type: [InvitedDto] }) items!: InvitedDto[];
}

/** An invitation as the invited organisation's lead sees it (GET /v1/partnership-invitations). */
export class InvitationToJoinDto {
  @ApiProperty() partnershipId!: string;
  @ApiProperty() partnershipName!: string;
  @ApiProperty() organisationId!: string;
  @ApiProperty() organisationName!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The organisation of the person who invited it' }) invitedByOrganisationName!: string | null;
  @ApiProperty() invitedAt!: string;
}

export class InvitationsToJoinDto {
  @ApiProperty({ type: [InvitationToJoinDto] }) items!: InvitationToJoinDto[];
}

export const mapInvitationToJoin = (i: InvitationToJoin): InvitationToJoinDto => ({ ...i, invitedAt: i.invitedAt.toISOString() });

/** A commissioner member's proposal: it happens once a commissioner member of another organisation agrees. */
export class ProposalDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: PROPOSAL_ACTIONS }) action!: ProposalAction;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The member to remove (remove_member)' }) organisationId!: string | null;
  @ApiProperty({ enum: PROPOSAL_STATES }) state!: ProposalState;
  @ApiProperty() proposedByUserId!: string;
  @ApiProperty() proposedByOrganisationId!: string;
  @ApiProperty() proposedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedByUserId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedByOrganisationId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedAt!: string | null;
}

export class ProposalListDto {
  @ApiProperty({ type: [ProposalDto] }) items!: ProposalDto[];
}

export const mapProposal = (p: PartnershipProposalEntity): ProposalDto => ({
  id: p.id,
  action: p.action,
  organisationId: p.organisationId,
  state: p.state,
  proposedByUserId: p.proposedByUserId,
  proposedByOrganisationId: p.proposedByOrganisationId,
  proposedAt: p.proposedAt.toISOString(),
  decidedByUserId: p.decidedByUserId,
  decidedByOrganisationId: p.decidedByOrganisationId,
  decidedAt: p.decidedAt?.toISOString() ?? null,
});

export class PartnershipDto extends PartnershipSummaryDto {
  @ApiProperty({ type: [MemberDto] }) members!: MemberDto[];
  @ApiProperty({
    type: [InvitedDto],
    description: 'Organisations invited and not yet answering: not members (they see nothing of the partnership, and their people cannot be named) until one of their leads, or an admin, accepts',
  })
  invited!: InvitedDto[];
  @ApiProperty({ type: [ProposalDto], description: 'Open proposals (remove a member, archive, publish) waiting for a commissioner member of another organisation to agree' })
  proposals!: ProposalDto[];
  @ApiProperty({ type: [OutcomeDto] }) outcomes!: OutcomeDto[];
  @ApiProperty({ type: [AnchorDto] }) anchors!: AnchorDto[];
}

export const mapPartnershipSummary = (p: PartnershipEntity): PartnershipSummaryDto => ({
  id: p.id,
  name: p.name,
  destination: p.destination,
  principles: p.principles,
  reminderDays: p.reminderDays,
  archived: p.archivedAt !== null,
  archivedAt: p.archivedAt?.toISOString() ?? null,
  public: p.public,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export const mapPartnership = (a: PartnershipAggregate, invited: PartnershipInvitationEntity[], proposals: PartnershipProposalEntity[]): PartnershipDto => ({
  ...mapPartnershipSummary(a.partnership),
  invited: invited.map(mapInvited),
  proposals: proposals.map(mapProposal),
  members: a.members.map((m) => {
    const latest = a.declarations.find((d) => d.organisationId === m.organisationId);
    return {
      organisationId: m.organisationId,
      name: m.organisation?.name ?? '',
      kind: m.organisation?.kind ?? 'community',
      joinedAt: m.joinedAt.toISOString(),
      table: latest ? mapDeclaration(latest) : null,
    };
  }),
  outcomes: a.outcomes.map(mapOutcome),
  anchors: a.anchors.map(mapAnchor),
});

export class RemindersDto {
  @ApiProperty({ type: [Number], example: [7, 1], description: 'Whole days, 1 to 90; empty for no reminders' })
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(90, { each: true })
  days!: number[];
}
