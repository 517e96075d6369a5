import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '@app/accounts/user.entity';
import { CycleEntity } from './cycle.entity';

export const INVITATION_ROLES = ['panel', 'voice'] as const;
export type InvitationRole = (typeof INVITATION_ROLES)[number];

/** A guest's invitation to one cycle: single-use, expiring; only the link's SHA-256 is stored. */
@Entity('cycle_invitations')
@Check('cycle_invitations_role_check', `"role" IN ('panel', 'voice')`)
@Index('cycle_invitations_cycle_idx', ['cycleId'])
export class CycleInvitationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'uuid' })
  cycleId!: string;

  @ManyToOne(() => CycleEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'cycle_id', foreignKeyConstraintName: 'cycle_invitations_cycle_fkey' })
  cycle?: CycleEntity;

  /** Stored lower-cased. */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: InvitationRole;

  @Index('cycle_invitations_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'invited_by_user_id', type: 'uuid', nullable: true })
  invitedByUserId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by_user_id', foreignKeyConstraintName: 'cycle_invitations_inviter_fkey' })
  invitedBy?: UserEntity | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Who followed the link: a guest sees the cycles of the invitations they followed. */
  @Index('cycle_invitations_guest_idx')
  @Column({ name: 'guest_user_id', type: 'uuid', nullable: true })
  guestUserId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'guest_user_id', foreignKeyConstraintName: 'cycle_invitations_guest_fkey' })
  guest?: UserEntity | null;

  /** When the link was followed: it works once. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
