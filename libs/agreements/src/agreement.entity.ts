import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { PartnershipEntity } from '@app/partnerships/partnership.entity';

/** A partnership's agreement: its machine's snapshot, a version for compare-and-set, and the chain's head. */
@Entity('agreements')
export class AgreementEntity {
  @PrimaryColumn({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'agreements_partnership_fkey' })
  partnership?: PartnershipEntity;

  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'jsonb' })
  snapshot!: Record<string, any>;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'history_hash', type: 'text' })
  historyHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The agreement's append-only, hash-chained history (the database refuses changes and deletions). */
@Entity('agreement_history')
@Check('agreement_history_seq_check', `"seq" > 0`)
@Check('agreement_history_hash_scheme_check', `"hash_scheme" IN (3)`)
export class AgreementHistoryEntity {
  @PrimaryColumn({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @ManyToOne(() => AgreementEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'agreement_history_agreement_fkey' })
  agreement?: AgreementEntity;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true })
  actorUserId!: string | null;

  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  @Column({ type: 'boolean', default: false })
  representative!: boolean;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: string | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'hash_scheme', type: 'smallint', default: 3, insert: false, update: false })
  hashScheme!: 3;
}
