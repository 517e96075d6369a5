/** The web sessions' table: signed-in browsers, keeping only a hash of each cookie's secret. */
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** A signed-in browser (the web app). Only the SHA-256 of the cookie's secret is stored. */
@Entity('web_sessions')
@Index('web_sessions_user_idx', ['userId'])
@Index('web_sessions_expires_idx', ['expiresAt'])
export class WebSessionEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'web_sessions_user_fkey' })
  user?: UserEntity;

  /** Every form of the session carries it back (synchroniser token). */
  @Column({ name: 'csrf_token', type: 'text' })
  csrfToken!: string;

  /** The user's session generation when it started: a later one (deactivation, a new password) ends it. */
  @Column({ type: 'integer', default: 0 })
  generation!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
