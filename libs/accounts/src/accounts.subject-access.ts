/** What the accounts feature holds about one person, for their subject-access export: never a secret nor a secret's hash. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const iso = (at: Date | null): string | null => (at ? at.toISOString() : null);

/** The person's account as held (no password hash, no calendar token hash). */
export interface SubjectAccount {
  id: string;
  email: string;
  name: string;
  role: string;
  organisationId: string | null;
  active: boolean;
  activeSetByAdmin: boolean;
  roleSetByAdmin: boolean;
  representative: boolean;
  mustChangePassword: boolean;
  /** Whether a calendar token is held for them, and when it was issued (never the token). */
  calendarToken: { issuedAt: string | null } | null;
  createdAt: string;
}

export interface SubjectAccountsPart {
  user: SubjectAccount;
  organisation: { id: string; name: string; kind: string } | null;
  preferences: { email: string };
  /** Web sign-ins (no cookie secret, no CSRF token). */
  sessions: { createdAt: string; expiresAt: string; current: boolean }[];
  /** Personal access tokens by name, scope and dates (never the token nor its hash). */
  tokens: { id: string; name: string; scope: string; createdAt: string; expiresAt: string; lastUsedAt: string | null }[];
  /** The identity providers' subjects linked to the account (single sign-on). */
  identities: { issuer: string; subject: string; linkedAt: string }[];
}

@Injectable()
export class AccountsSubjectAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Undefined when there is no such user. */
  async of(userId: string): Promise<SubjectAccountsPart | undefined> {
    const [users, sessions, tokens, identities] = await Promise.all([
      this.dataSource.query(
        `SELECT u.id, u.email, u.name, u.role, u.organisation_id, u.active, u.active_set_by_admin, u.role_set_by_admin, u.representative,
           u.must_change_password, u.calendar_token_hash IS NOT NULL AS has_calendar_token, u.calendar_token_issued_at, u.email_preference, u.created_at,
           o.id AS o_id, o.name AS o_name, o.kind AS o_kind
         FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1`,
        [userId],
      ),
      this.dataSource.query(
        `SELECT s.created_at, s.expires_at, (s.generation = u.session_generation AND s.expires_at > now()) AS current
         FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.user_id = $1 ORDER BY s.created_at, s.token_hash`,
        [userId],
      ),
      this.dataSource.query(`SELECT id, name, scope, created_at, expires_at, last_used_at FROM personal_access_tokens WHERE user_id = $1 ORDER BY created_at, id`, [userId]),
      this.dataSource.query(`SELECT issuer, subject, created_at FROM user_identities WHERE user_id = $1 ORDER BY created_at, issuer, subject`, [userId]),
    ]);
    const u = (users as unknown[])[0] as
      | {
          id: string;
          email: string;
          name: string;
          role: string;
          organisation_id: string | null;
          active: boolean;
          active_set_by_admin: boolean;
          role_set_by_admin: boolean;
          representative: boolean;
          must_change_password: boolean;
          has_calendar_token: boolean;
          calendar_token_issued_at: Date | null;
          email_preference: string;
          created_at: Date;
          o_id: string | null;
          o_name: string;
          o_kind: string;
        }
      | undefined;
    if (!u) return undefined;
    return {
      user: {
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        organisationId: u.organisation_id,
        active: u.active,
        activeSetByAdmin: u.active_set_by_admin,
        roleSetByAdmin: u.role_set_by_admin,
        representative: u.representative,
        mustChangePassword: u.must_change_password,
        calendarToken: u.has_calendar_token ? { issuedAt: iso(u.calendar_token_issued_at) } : null,
        createdAt: u.created_at.toISOString(),
      },
      organisation: u.o_id ? { id: u.o_id, name: u.o_name, kind: u.o_kind } : null,
      preferences: { email: u.email_preference },
      sessions: (sessions as { created_at: Date; expires_at: Date; current: boolean }[]).map((s) => ({
        createdAt: s.created_at.toISOString(),
        expiresAt: s.expires_at.toISOString(),
        current: s.current,
      })),
      tokens: (tokens as { id: string; name: string; scope: string; created_at: Date; expires_at: Date; last_used_at: Date | null }[]).map((t) => ({
        id: t.id,
        name: t.name,
        scope: t.scope,
        createdAt: t.created_at.toISOString(),
        expiresAt: t.expires_at.toISOString(),
        lastUsedAt: iso(t.last_used_at),
      })),
      identities: (identities as { issuer: string; subject: string; created_at: Date }[]).map((i) => ({ issuer: i.issuer, subject: i.subject, linkedAt: i.created_at.toISOString() })),
    };
  }
}
