/** The organisations' successions: scheduled for a vesting date, then cancelled or carried out once. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { OrganisationEntity, UserEntity } from '@app/accounts';

export type SuccessionState = 'scheduled' | 'held' | 'cancelled' | 'done';

/** What happened in one partnership on the date: carried out, or refused by these cycles' rules. */
export interface PartnershipOutcome {
  state: 'done' | 'refused';
  at: string;
  refusals?: { cycleId: string; title: string; reason: string }[];
}

/** One successor, and (in a split) the unfinished cycles it takes. */
export interface SuccessorAssignment {
  organisationId: string;
  cycleIds?: string[];
}

@Entity('organisation_successions')
@Check('organisation_successions_state_check', `"state" IN ('scheduled', 'held', 'cancelled', 'done')`)
@Check('organisation_successions_outcomes_check', `jsonb_typeof("outcomes") = 'object'`)
@Check('organisation_successions_successors_check', `jsonb_typeof("successors") = 'array' AND jsonb_array_length("successors") >= 1`)
// One succession waits per organisation at a time (scheduled or held); the due ones are what the reconciler reads.
@Index('organisation_successions_one_pending', ['predecessorOrganisationId'], { unique: true, where: `"state" IN ('scheduled', 'held')` })
@Index('organisation_successions_due', ['effectiveAt'], { where: `"state" = 'scheduled'` })
export class SuccessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'predecessor_organisation_id', type: 'uuid' })
  predecessorOrganisationId!: string;

  @ManyToOne(() => OrganisationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'predecessor_organisation_id', foreignKeyConstraintName: 'organisation_successions_predecessor_fkey' })
  predecessor?: OrganisationEntity;

  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt!: Date;

  @Column({ type: 'text', default: 'scheduled' })
  state!: SuccessionState;

  @Column({ type: 'jsonb' })
  successors!: SuccessorAssignment[];

  /** 1, and one more at each change before the date: the job of an earlier revision is stale. */
  @Column({ type: 'integer', default: 1 })
  revision!: number;

  /** By partnership id: carried out there, or refused by its cycles' rules on the date. */
  @Column({ type: 'jsonb', default: {} })
  outcomes!: Record<string, PartnershipOutcome>;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by_user_id', foreignKeyConstraintName: 'organisation_successions_created_by_fkey' })
  createdBy?: UserEntity | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'carried_out_at', type: 'timestamptz', nullable: true })
  carriedOutAt!: Date | null;
}
