import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@app/accounts/user.entity';
import { CycleEntity } from '@app/cycles/cycle.entity';

export const COMMENT_SUBJECTS = ['revision', 'option', 'proposal', 'objection'] as const;
export type CommentSubject = (typeof COMMENT_SUBJECTS)[number];

/**
 * A comment on part of a cycle: a problem revision, an option, a proposal or an objection. Talk,
 * not decisions: no history entry records it (hiding one does), and it never moves the cycle.
 * Its body is its author's personal data (erasure replaces it with "[erased]").
 */
@Entity('comments')
@Check('comments_subject_check', `"subject" IN ('revision', 'option', 'proposal', 'objection')`)
@Index('comments_thread_idx', ['cycleId', 'subject', 'subjectId', 'at', 'id'])
export class CommentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'comments_cycle_fkey' })
  cycle?: CycleEntity;

  @Column({ type: 'text' })
  subject!: CommentSubject;

  /** Which one: a revision's number, an option's or a proposal's id, an objection's key (docs/api.md). */
  @Column({ name: 'subject_id', type: 'text' })
  subjectId!: string;

  /** The comment this one answers (threads are one level deep: always a top-level comment of the same subject). */
  @Column({ name: 'reply_to', type: 'uuid', nullable: true })
  replyTo!: string | null;

  @ManyToOne(() => CommentEntity, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reply_to', foreignKeyConstraintName: 'comments_reply_to_fkey' })
  parent?: CommentEntity | null;

  @Index('comments_author_idx')
  @Column({ name: 'author_user_id', type: 'uuid' })
  authorUserId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'author_user_id', foreignKeyConstraintName: 'comments_author_fkey' })
  author?: UserEntity;

  @Column({ type: 'text' })
  body!: string;

  /** When it was posted (the services' clock). */
  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt!: Date | null;

  /** Hidden by a commissioner or facilitator: who, when and why (the body stays, never shown). */
  @Column({ name: 'hidden_at', type: 'timestamptz', nullable: true })
  hiddenAt!: Date | null;

  @Column({ name: 'hidden_by_user_id', type: 'uuid', nullable: true })
  hiddenByUserId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'hidden_by_user_id', foreignKeyConstraintName: 'comments_hidden_by_fkey' })
  hiddenBy?: UserEntity | null;

  @Column({ name: 'hidden_reason', type: 'text', nullable: true })
  hiddenReason!: string | null;
}
