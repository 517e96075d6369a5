/** The tables of the partnerships feature: partnerships, members, invitations, declarations, outcomes, anchors, history and proposals. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ChainedEntryColumns, type Seals, hashSchemeColumn } from '@app/history';
import { OrganisationEntity } from '@app/accounts/organisation.entity';
import { UserEntity } from '@app/accounts/user.entity';

@Entity('partnerships')
export class PartnershipEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The shared destination the partners agree on (seed 004). */
  @Column({ type: 'text', nullable: true })
  destination!: string | null;

  /** Written principles the partners agree to work by. */
  @Column({ type: 'jsonb', default: [] })
  principles!: string[];

  /** Days before each milestone that its participants are reminded. */
  @Column({ name: 'reminder_days', type: 'jsonb', default: [7, 1] })
  reminderDays!: number[];

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId!: string;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by_user_id', foreignKeyConstraintName: 'partnerships_created_by_fkey' })
  createdBy?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** When it was archived: read-only from then on, its milestones cancelled. */
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'archived_by_user_id', type: 'uuid', nullable: true })
  archivedByUserId!: string | null;

  /** Whether its public page (no sign-in: organisations only, never people) is published. */
  @Column({ name: 'public', type: 'boolean', default: false })
  public!: boolean;

  /** How many entries its history has, and the newest one's hash (the chain's head, as a cycle's row keeps it). */
  @Column({ name: 'history_version', type: 'integer', default: 0 })
  historyVersion!: number;

  @Column({ name: 'history_hash', type: 'text', default: '0'.repeat(64) })
  historyHash!: string;

  @OneToMany(() => PartnershipMemberEntity, (m) => m.partnership)
  members?: PartnershipMemberEntity[];
}

/**
 * The partnership's append-only, hash-chained history of its membership (invitations, answers,
 * removals), its archive and its public page, and the proposals agreed by a second commissioner
 * member (the database refuses changes and deletions).
 */
@Entity('partnership_history')
@Check('partnership_history_seq_check', `"seq" > 0`)
@Check('partnership_history_hash_scheme_check', `"hash_scheme" IN (3, 4)`)
export class PartnershipHistoryEntity extends ChainedEntryColumns<3 | 4> {
  /** How `hash` was computed (chain.ts): 3 before personal fields were sealed, 4 since. The database fills it in. */
  @hashSchemeColumn(4)
  override hashScheme!: 3 | 4;

  /** The payload's personal fields, sealed: each one's digest (hashed) and salt (seals.ts); null when it has none. */
  @Column({ type: 'jsonb', nullable: true })
  seals?: Seals | null;

  @PrimaryColumn({ name: 'partnership_id', type: 'uuid', primaryKeyConstraintName: 'partnership_history_pkey' })
  partnershipId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'partnership_history_pkey' })
  seq!: number;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'partnership_history_partnership_fkey' })
  partnership?: PartnershipEntity;
}

/** What one commissioner member alone may not do: another commissioner member agrees first. */
export const PROPOSAL_ACTIONS = ['remove_member', 'archive', 'publish'] as const;
export type ProposalAction = (typeof PROPOSAL_ACTIONS)[number];
export const PROPOSAL_STATES = ['open', 'agreed', 'withdrawn'] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/** A commissioner member's proposal (remove a member, archive, publish the public page), open until another commissioner member agrees. */
@Entity('partnership_proposals')
@Index('partnership_proposals_one_open', ['partnershipId', 'action', 'organisationId'], { unique: true, where: `"state" = 'open'` })
@Check('partnership_proposals_action_check', `"action" IN ('remove_member', 'archive', 'publish')`)
@Check('partnership_proposals_state_check', `"state" IN ('open', 'agreed', 'withdrawn')`)
export class PartnershipProposalEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'partnership_proposals_pkey' })
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'partnership_proposals_partnership_fkey' })
  partnership?: PartnershipEntity;

  @Column({ type: 'text' })
  action!: ProposalAction;

  /** The member to remove (remove_member). */
  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Column({ type: 'text', default: 'open' })
  state!: ProposalState;

  @Column({ name: 'proposed_by_user_id', type: 'uuid' })
  proposedByUserId!: string;

  @Column({ name: 'proposed_by_organisation_id', type: 'uuid' })
  proposedByOrganisationId!: string;

  @Column({ name: 'proposed_at', type: 'timestamptz' })
  proposedAt!: Date;

  @Column({ name: 'decided_by_user_id', type: 'uuid', nullable: true })
  decidedByUserId!: string | null;

  @Column({ name: 'decided_by_organisation_id', type: 'uuid', nullable: true })
  decidedByOrganisationId!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;
}

@Entity('partnership_members')
@Index('partnership_members_organisation_idx', ['organisationId'])
export class PartnershipMemberEntity {
  @PrimaryColumn({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @PrimaryColumn({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' })
  joinedAt!: Date;

  @ManyToOne(() => PartnershipEntity, (p) => p.members, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'partnership_members_partnership_fkey' })
  partnership?: PartnershipEntity;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'partnership_members_organisation_fkey' })
  organisation?: OrganisationEntity;
}

export const INVITATION_STATES = ['pending', 'accepted', 'declined'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/**
 * An organisation asked to join a partnership: it is a member only once one of its leads (or a
 * platform admin) accepts. The latest invitation per organisation; a declined one may be sent again.
 */
@Entity('partnership_invitations')
@Index('partnership_invitations_pending_idx', ['organisationId'], { where: `"state" = 'pending'` })
@Check('partnership_invitations_state_check', `"state" IN ('pending', 'accepted', 'declined')`)
export class PartnershipInvitationEntity {
  @PrimaryColumn({ name: 'partnership_id', type: 'uuid', primaryKeyConstraintName: 'partnership_invitations_pkey' })
  partnershipId!: string;

  @PrimaryColumn({ name: 'organisation_id', type: 'uuid', primaryKeyConstraintName: 'partnership_invitations_pkey' })
  organisationId!: string;

  @Column({ type: 'text', default: 'pending' })
  state!: InvitationState;

  @Column({ name: 'invited_by_user_id', type: 'uuid' })
  invitedByUserId!: string;

  @Column({ name: 'invited_at', type: 'timestamptz' })
  invitedAt!: Date;

  @Column({ name: 'decided_by_user_id', type: 'uuid', nullable: true })
  decidedByUserId!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'partnership_invitations_partnership_fkey' })
  partnership?: PartnershipEntity;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'partnership_invitations_organisation_fkey' })
  organisation?: OrganisationEntity;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'invited_by_user_id', foreignKeyConstraintName: 'partnership_invitations_invited_by_fkey' })
  invitedBy?: UserEntity;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'decided_by_user_id', foreignKeyConstraintName: 'partnership_invitations_decided_by_fkey' })
  decidedBy?: UserEntity;
}

/**
 * What a member puts on and keeps off the table. Every declaration is a new version; earlier
 * ones stay readable.
 */
@Entity('table_declarations')
@Check('table_declarations_version_check', `"version" > 0`)
@Index('table_declarations_version_key', ['partnershipId', 'organisationId', 'version'], { unique: true })
export class TableDeclarationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @Column({ name: 'organisation_id', type: 'uuid' })
  organisationId!: string;

  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'on_table', type: 'jsonb' })
  on!: string[];

  @Column({ name: 'off_table', type: 'jsonb' })
  off!: string[];

  @Column({ name: 'declared_by_user_id', type: 'uuid' })
  declaredByUserId!: string;

  @CreateDateColumn({ name: 'declared_at', type: 'timestamptz' })
  declaredAt!: Date;

  /** Only a member declares: the row points at the membership, not just the partnership. */
  @ManyToOne(() => PartnershipMemberEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'partnership_id', referencedColumnName: 'partnershipId', foreignKeyConstraintName: 'table_declarations_member_fkey' },
    { name: 'organisation_id', referencedColumnName: 'organisationId', foreignKeyConstraintName: 'table_declarations_member_fkey' },
  ])
  member?: PartnershipMemberEntity;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'declared_by_user_id', foreignKeyConstraintName: 'table_declarations_declared_by_fkey' })
  declaredBy?: UserEntity;
}

export const METRIC_DIRECTIONS = ['increase', 'decrease'] as const;
export type MetricDirection = (typeof METRIC_DIRECTIONS)[number];

export interface Metric {
  id: string;
  name: string;
  unit: string;
  baseline: number;
  target: number;
  direction: MetricDirection;
}

/** One outcome of the partnership's shared outcome framework, with its common metrics. */
@Entity('outcomes')
@Index('outcomes_partnership_idx', ['partnershipId'])
export class OutcomeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'jsonb' })
  metrics!: Metric[];

  @Column({ name: 'created_by_user_id', type: 'uuid' })
  createdByUserId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'outcomes_partnership_fkey' })
  partnership?: PartnershipEntity;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by_user_id', foreignKeyConstraintName: 'outcomes_created_by_fkey' })
  createdBy?: UserEntity;
}

/** A dated event of the partnership's calendar that cycles align to. */
@Entity('anchors')
@Index('anchors_partnership_idx', ['partnershipId'])
export class AnchorEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'timestamptz' })
  date!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'anchors_partnership_fkey' })
  partnership?: PartnershipEntity;
}
