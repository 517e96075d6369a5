/** The personal access tokens' table: people's tokens for scripts, stored only as hashes. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * A person's token for scripts and partner systems (`cct_…`): named, read or write, expiring.
 * Only the SHA-256 of the token is stored; the person sees it once, when it is made.
 */
@Entity('personal_access_tokens')
@Check('personal_access_tokens_scope_check', `"scope" IN ('read', 'write')`)
@Index('personal_access_tokens_user_idx', ['userId'])
export class PersonalAccessTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'personal_access_tokens_user_fkey' })
  user?: UserEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  scope!: TokenScope;

  @Index('personal_access_tokens_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Moved on at most once a minute per token: a script's every request does not write. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
