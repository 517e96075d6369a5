/** The agreements feature's tables: the agreement, its append-only history and its review date. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ChainedEntryColumns, type Seals, hashSchemeColumn } from '@app/history';
import { AnchorEntity, PartnershipEntity } from '@app/partnerships/partnership.entity';
import type { JsonObject } from '@app/database';

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
  snapshot!: JsonObject;

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
@Check('agreement_history_hash_scheme_check', `"hash_scheme" IN (3, 4)`)
export class AgreementHistoryEntity extends ChainedEntryColumns<3 | 4> {
  /** How `hash` was computed (chain.ts): 3 before personal fields were sealed, 4 since. The database fills it in. */
  @hashSchemeColumn(4)
  override hashScheme!: 3 | 4;

  /** The payload's personal fields, sealed: each one's digest (hashed) and salt (seals.ts); null when it has none. */
  @Column({ type: 'jsonb', nullable: true })
  seals?: Seals | null;

  @PrimaryColumn({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @ManyToOne(() => AgreementEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'agreement_history_agreement_fkey' })
  agreement?: AgreementEntity;
}

export const AGREEMENT_REVIEW_STATUSES = ['scheduled', 'fired', 'moot', 'cancelled'] as const;
export type AgreementReviewStatus = (typeof AGREEMENT_REVIEW_STATUSES)[number];

/**
 * The agreement's review date (`agreementReviewDue`), aligned to one of the partnership's anchors:
 * its date is the anchor's moved by the offset, read whenever it is needed, so moving the anchor
 * moves the review. At most one is scheduled per partnership; when it comes, an agreed agreement
 * moves to reviewing (otherwise it is moot). Every change of status is kept in `changes`.
 */
@Entity('agreement_reviews')
@Index('agreement_reviews_one_scheduled', ['partnershipId'], { unique: true, where: `"status" = 'scheduled'` })
@Index('agreement_reviews_anchor_idx', ['anchorId'])
@Check('agreement_reviews_status_check', `"status" IN ('scheduled', 'fired', 'moot', 'cancelled')`)
@Check('agreement_reviews_offset_check', `("offset_days" IS NULL) <> ("offset_working_days" IS NULL)`)
export class AgreementReviewEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @ManyToOne(() => AgreementEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'agreement_reviews_agreement_fkey' })
  agreement?: AgreementEntity;

  @Column({ name: 'anchor_id', type: 'uuid' })
  anchorId!: string;

  @ManyToOne(() => AnchorEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'anchor_id', foreignKeyConstraintName: 'agreement_reviews_anchor_fkey' })
  anchor?: AnchorEntity;

  @Column({ name: 'offset_days', type: 'int', nullable: true })
  offsetDays!: number | null;

  @Column({ name: 'offset_working_days', type: 'int', nullable: true })
  offsetWorkingDays!: number | null;

  @Column({ type: 'text', default: 'scheduled' })
  status!: AgreementReviewStatus;

  @Column({ type: 'jsonb', default: [] })
  changes!: { status: AgreementReviewStatus; at: string; note?: string }[];

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
