import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@app/accounts/user.entity';
import { CycleEntity } from '@app/cycles/cycle.entity';

export const ATTACHMENT_SUBJECTS = ['revision', 'option', 'progress', 'review'] as const;
export type AttachmentSubject = (typeof ATTACHMENT_SUBJECTS)[number];

export const ATTACHMENT_STORES = ['postgres', 's3'] as const;
export type AttachmentStoreKind = (typeof ATTACHMENT_STORES)[number];

/** bigint comes back from pg as a string: our files are far below 2^53 bytes. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/**
 * A file attached to part of a cycle as evidence: a problem revision, an option, a progress report
 * or the learning review. Its SHA-256 is chained in the cycle's history (ATTACHED); it is never
 * deleted, only withdrawn with a reason (hidden, kept). Its name and bytes are its uploader's
 * personal data: erasure replaces the name with "[erased]" and drops the bytes (erased_at), the
 * sha256 staying in the row and the history.
 */
@Entity('attachments')
@Check('attachments_subject_check', `"subject" IN ('revision', 'option', 'progress', 'review')`)
@Check('attachments_store_check', `"store" IN ('postgres', 's3')`)
@Index('attachments_cycle_idx', ['cycleId', 'at', 'id'])
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'attachments_cycle_fkey' })
  cycle?: CycleEntity;

  @Column({ type: 'text' })
  subject!: AttachmentSubject;

  /** Which one: a revision's number, an option's id, a progress report's history position; null for the learning review. */
  @Column({ name: 'subject_id', type: 'text', nullable: true })
  subjectId!: string | null;

  /** The file's name as given, made safe (no path, no control characters, the sniffed type's extension). */
  @Column({ type: 'text' })
  name!: string;

  /** The type sniffed from the bytes (never the one the client declared). */
  @Column({ name: 'media_type', type: 'text' })
  mediaType!: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  bytes!: number;

  /** Lower-case hex of the bytes' SHA-256, computed as they streamed in. */
  @Column({ type: 'text' })
  sha256!: string;

  /** Where the bytes are: attachment_chunks, or the S3 bucket under the attachment's id. */
  @Column({ type: 'text' })
  store!: AttachmentStoreKind;

  @Index('attachments_uploaded_by_idx')
  @Column({ name: 'uploaded_by_user_id', type: 'uuid' })
  uploadedByUserId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'uploaded_by_user_id', foreignKeyConstraintName: 'attachments_uploaded_by_fkey' })
  uploadedBy?: UserEntity;

  @Column({ type: 'timestamptz' })
  at!: Date;

  /** Withdrawn by a commissioner: who, when and why (hidden from the list by default, kept in the record). */
  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt!: Date | null;

  @Column({ name: 'withdrawn_by_user_id', type: 'uuid', nullable: true })
  withdrawnByUserId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'withdrawn_by_user_id', foreignKeyConstraintName: 'attachments_withdrawn_by_fkey' })
  withdrawnBy?: UserEntity | null;

  @Column({ name: 'withdrawn_reason', type: 'text', nullable: true })
  withdrawnReason!: string | null;

  /** When its uploader's erasure dropped its bytes and name (it can no longer be downloaded). */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt!: Date | null;
}

/** One MiB (the last one shorter) of an attachment kept in PostgreSQL. */
@Entity('attachment_chunks')
export class AttachmentChunkEntity {
  @PrimaryColumn({ name: 'attachment_id', type: 'uuid', primaryKeyConstraintName: 'attachment_chunks_pkey' })
  attachmentId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'attachment_chunks_pkey' })
  seq!: number;

  @Column({ type: 'bytea' })
  data!: Buffer;

  // Deferred: an upload writes its chunks as they stream, and its row last, once it holds the cycle's lock.
  @ManyToOne(() => AttachmentEntity, { onDelete: 'CASCADE', deferrable: 'INITIALLY DEFERRED' })
  @JoinColumn({ name: 'attachment_id', foreignKeyConstraintName: 'attachment_chunks_attachment_fkey' })
  attachment?: AttachmentEntity;
}
