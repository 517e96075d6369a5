/** The organisations' successions: scheduled for a vesting date, then cancelled or carried out once. */
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type SuccessionState = 'scheduled' | 'cancelled' | 'done';

/** One successor, and (in a split) the unfinished cycles it takes. */
export interface SuccessorAssignment {
  organisationId: string;
  cycleIds?: string[];
}

@Entity('organisation_successions')
export class SuccessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'predecessor_organisation_id', type: 'uuid' })
  predecessorOrganisationId!: string;

  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt!: Date;

  @Column({ type: 'text', default: 'scheduled' })
  state!: SuccessionState;

  @Column({ type: 'jsonb' })
  successors!: SuccessorAssignment[];

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'carried_out_at', type: 'timestamptz', nullable: true })
  carriedOutAt!: Date | null;
}
