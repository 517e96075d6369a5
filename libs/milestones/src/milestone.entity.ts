/** The milestones feature's tables: a cycle's dated milestones and the incidents of those that failed to fire. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UserEntity } from '@app/accounts/user.entity';
import { CycleEntity } from '@app/cycles/cycle.entity';
import { AnchorEntity } from '@app/partnerships/partnership.entity';

export const MILESTONE_KINDS = ['framingDue', 'optionsClose', 'decisionDue', 'reviewStart', 'reviewDue'] as const;
export type MilestoneKind = (typeof MILESTONE_KINDS)[number];
export const MILESTONE_STATUSES = ['scheduled', 'fired', 'moot', 'cancelled'] as const;
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

export interface MilestoneChange {
  status: MilestoneStatus | 'moved';
  at: string;
  dueAt?: string;
  note?: string;
}

@Entity('milestones')
@Index('milestones_cycle_idx', ['cycleId'])
@Index('milestones_status_due_idx', ['status', 'dueAt'])
@Index('milestones_anchor_idx', ['anchorId'])
@Index('milestones_partnership_idx', ['partnershipId'])
@Check('milestones_kind_check', `"kind" IN ('framingDue', 'optionsClose', 'decisionDue', 'reviewStart', 'reviewDue')`)
@Check('milestones_status_check', `"status" IN ('scheduled', 'fired', 'moot', 'cancelled')`)
@Check(
  'milestones_alignment_check',
  `("anchor_id" IS NULL AND "offset_days" IS NULL AND "offset_working_days" IS NULL) OR ("anchor_id" IS NOT NULL AND (("offset_days" IS NULL) <> ("offset_working_days" IS NULL)))`,
)
export class MilestoneEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'milestones_cycle_fkey' })
  cycle?: CycleEntity;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @Column({ type: 'text' })
  kind!: MilestoneKind;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ name: 'anchor_id', type: 'uuid', nullable: true })
  anchorId!: string | null;

  @ManyToOne(() => AnchorEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'anchor_id', foreignKeyConstraintName: 'milestones_anchor_fkey' })
  anchor?: AnchorEntity;

  @Column({ name: 'offset_days', type: 'int', nullable: true })
  offsetDays!: number | null;

  @Column({ name: 'offset_working_days', type: 'int', nullable: true })
  offsetWorkingDays!: number | null;

  @Column({ type: 'text', default: 'scheduled' })
  status!: MilestoneStatus;

  /** Bumped whenever the milestone is moved or retried: a job of an older revision does nothing. */
  @Column({ type: 'int', default: 1 })
  revision!: number;

  /** Every change of status or date, with its time. */
  @Column({ type: 'jsonb', default: [] })
  changes!: MilestoneChange[];

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by_user_id', foreignKeyConstraintName: 'milestones_created_by_fkey' })
  createdBy?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** What members are told of an incident: how it failed, and the id under which the worker logged why. */
export const incidentSummary = (incident: { id: string; attempts: number }): string =>
  `Handling this milestone failed ${incident.attempts} time${incident.attempts === 1 ? '' : 's'}. ` + `The cause is in the worker's log under incident ${incident.id}; a commissioner can retry it.`;

/** Milestone handling that failed after all its retries: visible, and retried by a commissioner. */
@Entity('incidents')
@Index('incidents_cycle_idx', ['cycleId'])
@Index('incidents_milestone_idx', ['milestoneId'])
export class IncidentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'incidents_cycle_fkey' })
  cycle?: CycleEntity;

  @Column({ name: 'milestone_id', type: 'uuid' })
  milestoneId!: string;

  @ManyToOne(() => MilestoneEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'milestone_id', foreignKeyConstraintName: 'incidents_milestone_fkey' })
  milestone?: MilestoneEntity;

  /** What anyone who sees the cycle is told (incidentSummary): never the cause, which is only in the worker's log, under this incident's id. */
  @Column({ type: 'text' })
  error!: string;

  @Column({ type: 'int' })
  attempts!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'retried_at', type: 'timestamptz', nullable: true })
  retriedAt!: Date | null;

  @Column({ name: 'retried_by_user_id', type: 'uuid', nullable: true })
  retriedByUserId!: string | null;
}
