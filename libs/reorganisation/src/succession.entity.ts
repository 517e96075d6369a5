/** The organisations' successions: scheduled for a vesting date, then cancelled or carried out once. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { OrganisationEntity, UserEntity } from '@app/accounts';

export type SuccessionState = 'scheduled' | 'cancelled' | 'done';

/** One successor, and (in a split) the unfinished cycles it takes. */
export interface SuccessorAssignment {
  organisationId: string;
  cycleIds?: string[];
}

@Entity('organisation_successions')
@Check('organisation_successions_state_check', `"state" IN ('scheduled', 'cancelled', 'done')`)
@Check('organisation_successions_successors_check', `jsonb_typeof("successors") = 'array' AND jsonb_array_length("successors") >= 1`)
// One succession waits per organisation at a time; the due ones are what the reconciler reads.
@Index('organisation_successions_one_scheduled', ['predecessorOrganisationId'], { unique: true, where: `"state" = 'scheduled'` })
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
