/** The users' table: people, their role, organisation, email preference and sign-in standing. */
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganisationEntity } from './organisation.entity';

export const USER_ROLES = ['admin', 'member', 'lead'] as const;
/** A person who followed an invitation to a cycle: of no organisation, never given by a role change. */
export const GUEST_ROLE = 'guest';
export type UserRole = (typeof USER_ROLES)[number] | typeof GUEST_ROLE;
export const EMAIL_PREFERENCES = ['immediate', 'daily', 'off'] as const;
export type EmailPreference = (typeof EMAIL_PREFERENCES)[number];

@Entity('users')
@Check('users_email_preference_check', `"email_preference" IN ('immediate', 'daily', 'off')`)
@Check('users_role_check', `"role" IN ('admin', 'member', 'lead', 'guest')`)
@Check('users_member_has_organisation', `"role" IN ('admin', 'guest') OR "organisation_id" IS NOT NULL`)
@Index('users_organisation_idx', ['organisationId'])
@Index('users_calendar_token_key', ['calendarTokenHash'], { unique: true, where: '"calendar_token_hash" IS NOT NULL' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-cased; unique. */
  @Index('users_email_key', { unique: true })
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash!: string;

  @Column({ type: 'text', default: 'member' })
  role!: UserRole;

  /** Null only for platform admins, who act for no organisation. */
  @Column({ name: 'organisation_id', type: 'uuid', nullable: true })
  organisationId!: string | null;

  @ManyToOne(() => OrganisationEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id', foreignKeyConstraintName: 'users_organisation_fkey' })
  organisation?: OrganisationEntity | null;

  /** SHA-256 of the user's calendar feed token (for calendar apps that cannot send a bearer token). */
  @Column({ name: 'calendar_token_hash', type: 'text', nullable: true, select: false })
  calendarTokenHash!: string | null;

  /** A deactivated user cannot sign in, and every earlier token and session of theirs is refused. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Whether they may commit their organisation (endorse, object, consent, pledge, leave) where it names representatives. */
  @Column({ type: 'boolean', default: false })
  representative!: boolean;

  /**
   * Tokens and web sessions carry the generation they were issued in; deactivation and password
   * changes move it on, and every earlier one is refused from then on.
   */
  @Column({ name: 'session_generation', type: 'integer', default: 0 })
  sessionGeneration!: number;
  /** When the calendar token was issued (by the services' clock): it opens feeds for a year from then. */
  @Column({ name: 'calendar_token_issued_at', type: 'timestamptz', nullable: true, select: false })
  calendarTokenIssuedAt!: Date | null;

  /** Still on the development default password (the bootstrapped admin): must change it before anything else in the web app. */
  @Column({ name: 'must_change_password', type: 'boolean', default: false })
  mustChangePassword!: boolean;

  /** The last deactivation or reactivation was a platform admin's: only an admin undoes it. */
  @Column({ name: 'active_set_by_admin', type: 'boolean', default: false, select: false })
  activeSetByAdmin!: boolean;

  /** The last role change was a platform admin's: only an admin undoes it. */
  @Column({ name: 'role_set_by_admin', type: 'boolean', default: false, select: false })
  roleSetByAdmin!: boolean;

  /** How they get notifications by email: each at once, one digest each working morning, or none. */
  @Column({ name: 'email_preference', type: 'text', default: 'immediate' })
  emailPreference!: EmailPreference;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
