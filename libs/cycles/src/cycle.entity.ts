/** The cycles feature's tables: cycles, their append-only history, its checkpoints and the cycles' texts. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ChainedEntryColumns, type HashScheme, type Seals, hashSchemeColumn } from '@app/history';
import { PartnershipEntity } from '@app/partnerships/partnership.entity';
import { UserEntity } from '@app/accounts/user.entity';
import type { JsonObject } from '@app/database';

@Entity('cycles')
@Index('cycles_partnership_created_idx', ['partnershipId', 'createdAt', 'id'])
// A platform admin's list of every cycle, newest first.
@Index('cycles_created_idx', ['createdAt', 'id'])
@Index('cycles_partnership_state_idx', ['partnershipId', 'state'])
@Check('cycles_version_check', `"version" > 0`)
@Check('cycles_iteration_check', `"iteration" > 0`)
export class CycleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'partnership_id', type: 'uuid' })
  partnershipId!: string;

  @ManyToOne(() => PartnershipEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnership_id', foreignKeyConstraintName: 'cycles_partnership_fkey' })
  partnership?: PartnershipEntity;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'int' })
  iteration!: number;

  @Column({ name: 'previous_cycle_id', type: 'uuid', nullable: true })
  previousCycleId!: string | null;

  @ManyToOne(() => CycleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'previous_cycle_id', foreignKeyConstraintName: 'cycles_previous_fkey' })
  previous?: CycleEntity;

  @Column({ name: 'next_cycle_id', type: 'uuid', nullable: true })
  nextCycleId!: string | null;

  @ManyToOne(() => CycleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'next_cycle_id', foreignKeyConstraintName: 'cycles_next_fkey' })
  next?: CycleEntity;

  /** Copied from the snapshot, for filtering. */
  @Column({ type: 'text' })
  state!: string;

  /** The machine's persisted snapshot (context included). */
  @Column({ type: 'jsonb' })
  snapshot!: JsonObject;

  @Column({ name: 'machine_version', type: 'int' })
  machineVersion!: number;

  /** Equals the number of history entries; bumped by compare-and-set on every accepted event. */
  @Column({ type: 'int' })
  version!: number;

  /** How many of its history entries are progress updates: moved on by the statement that appends them. */
  @Column({ name: 'progress_count', type: 'int', default: 0 })
  progressCount!: number;

  /** Hash of the latest history entry: the next entry chains on it. */
  @Column({ name: 'history_hash', type: 'text' })
  historyHash!: string;

  /** The learning of the previous iteration, readable from this one. */
  @Column({ name: 'inherited_learning', type: 'jsonb', nullable: true })
  inheritedLearning!: JsonObject | null;

  @Column({ name: 'created_by_user_id', type: 'uuid', nullable: true })
  createdByUserId!: string | null;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'created_by_user_id', foreignKeyConstraintName: 'cycles_created_by_fkey' })
  createdBy?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Append-only and hash-chained: the database refuses UPDATE, DELETE and TRUNCATE. */
@Entity('cycle_history')
@Index('cycle_history_progress_idx', ['cycleId', 'seq'], { where: `"type" = 'RECORD_PROGRESS'` })
@Check('cycle_history_seq_check', `"seq" > 0`)
@Check('cycle_history_hash_scheme_check', `"hash_scheme" IN (1, 2, 3, 4)`)
export class CycleHistoryEntity extends ChainedEntryColumns<HashScheme> {
  /** How `hash` was computed (chain.ts): from scheme 4 on, personal fields sealed. The database fills it in. */
  @hashSchemeColumn(4)
  override hashScheme!: HashScheme;

  /** The payload's personal fields, sealed: each one's digest (hashed) and salt (seals.ts); null when it has none. */
  @Column({ type: 'jsonb', nullable: true })
  seals?: Seals | null;

  @PrimaryColumn({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @PrimaryColumn({ type: 'int' })
  seq!: number;

  @ManyToOne(() => CycleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'cycle_history_cycle_fkey' })
  cycle?: CycleEntity;
}

/**
 * How far a cycle's history chain has been verified: entries up to `seq` hold and end with `hash`,
 * so a verification goes on from there. A full verification (in the background, or asked for)
 * walks the whole chain again; a break it finds is kept here and reported until the history holds.
 */
@Entity('history_checkpoints')
@Index('history_checkpoints_full_idx', ['fullCheckedAt'])
export class HistoryCheckpointEntity {
  @PrimaryColumn({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'history_checkpoints_cycle_fkey' })
  cycle?: CycleEntity;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt!: Date;

  @Column({ name: 'full_checked_at', type: 'timestamptz', nullable: true })
  fullCheckedAt!: Date | null;

  @Column({ name: 'broken_at_seq', type: 'integer', nullable: true })
  brokenAtSeq!: number | null;

  @Column({ name: 'broken_reason', type: 'text', nullable: true })
  brokenReason!: string | null;
}

/**
 * A cycle's long texts (problem statements, options' summaries), by key (`revision:3`,
 * `option:<id>`): kept apart from its snapshot, which the rules read on every event (see
 * cycle.texts.ts in the domain). An option's summary is replaced when it is amended; the history
 * keeps every version.
 */
@Entity('cycle_texts')
export class CycleTextEntity {
  @PrimaryColumn({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @PrimaryColumn({ type: 'text' })
  key!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'cycle_texts_cycle_fkey' })
  cycle?: CycleEntity;

  @Column({ type: 'text' })
  body!: string;
}
