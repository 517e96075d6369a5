/** The web app's sign-in sessions, kept in PostgreSQL so a restart or a Redis flush signs nobody out. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Principal, principalOf } from './principal';
import { OrganisationEntity } from './organisation.entity';
import { UserEntity } from './user.entity';
import { WebSessionEntity } from './web-session.entity';
import { UNREAD_COUNT } from '@app/notifications/notifications.fragment';

export interface WebSession {
  principal: Principal;
  user: UserEntity;
  csrfToken: string;
  /** The user's unread notifications when the session was read (every page's frame shows how many). */
  unread: number;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

/** Sign-in sessions of the web app, kept in PostgreSQL: a restart or a Redis flush signs nobody out. */
@Injectable()
export class WebSessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new session for the user: the cookie's secret (only its hash is stored) and the form token. */
  async start(user: UserEntity): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const token = secret();
    const csrfToken = secret();
    const expiresAt = new Date(Date.now() + this.config.web.sessionTtlSeconds * 1000);
    const sessions = this.dataSource.getRepository(WebSessionEntity);
    await sessions.insert({ tokenHash: sha256(token), userId: user.id, csrfToken, expiresAt, generation: user.sessionGeneration });
    // Sessions that ran out are cleared as new ones start: no job needed.
    await sessions.delete({ expiresAt: LessThan(new Date()) });
    return { token, csrfToken, expiresAt };
  }

  /**
   * The session the cookie's secret opens, if it has not run out and its user still exists, is
   * active and has not moved on to a later session generation (deactivated, new password).
   */
  async resume(token: string | undefined): Promise<WebSession | undefined> {
    if (!token || token.length > 100) return undefined;
    // One plain statement, with the unread notifications the page's frame shows: every page asks,
    // and each round trip costs (as did TypeORM's building of the joined query, every time).
    const [row]: SessionRow[] = await this.dataSource.query(RESUME, [sha256(token)]);
    const session = row && sessionOf(row);
    if (!session?.user || session.expiresAt.getTime() <= Date.now()) return undefined;
    const user = session.user;
    if (!user.active || session.generation !== user.sessionGeneration) return undefined;
    return { user, csrfToken: session.csrfToken, principal: principalOf(user), unread: row.unread };
  }

  /** Ends every session of the user (deactivated, or their password changed). */
  async endAll(userId: string): Promise<void> {
    await this.dataSource.getRepository(WebSessionEntity).delete({ userId });
  }

  async end(token: string | undefined): Promise<void> {
    if (token) await this.dataSource.getRepository(WebSessionEntity).delete({ tokenHash: sha256(token) });
  }
}

/** A session, its user (with when their calendar link was issued: the partnership page says when it expires) and the user's organisation, and their unread notifications. */
const RESUME = `SELECT s.token_hash, s.user_id, s.csrf_token, s.generation, s.created_at, s.expires_at,
    u.email, u.name, u.role, u.organisation_id, u.active, u.representative, u.session_generation, u.email_preference, u.must_change_password, u.created_at AS user_created_at, u.calendar_token_issued_at,
    o.name AS organisation_name, o.kind AS organisation_kind, o.created_at AS organisation_created_at, o.dissolved_at AS organisation_dissolved_at, o.successor_organisation_ids AS organisation_successor_ids,
    ${UNREAD_COUNT('s.user_id')} AS unread
  FROM web_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
  WHERE s.token_hash = $1`;

interface SessionRow {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  generation: number;
  created_at: Date;
  expires_at: Date;
  email: string;
  name: string;
  role: UserEntity['role'];
  organisation_id: string | null;
  active: boolean;
  representative: boolean;
  session_generation: number;
  email_preference: UserEntity['emailPreference'];
  must_change_password: boolean;
  user_created_at: Date;
  calendar_token_issued_at: Date | null;
  organisation_name: string | null;
  organisation_kind: OrganisationEntity['kind'] | null;
  organisation_created_at: Date | null;
  organisation_dissolved_at: Date | null;
  organisation_successor_ids: string[] | null;
  unread: number;
}

/** The entities TypeORM made of the joined query (the same columns; no organisation: null). */
function sessionOf(r: SessionRow): WebSessionEntity {
  const organisation =
    r.organisation_id === null
      ? null
      : Object.assign(new OrganisationEntity(), {
          id: r.organisation_id,
          name: r.organisation_name,
          kind: r.organisation_kind,
          createdAt: r.organisation_created_at,
          dissolvedAt: r.organisation_dissolved_at,
          successorOrganisationIds: r.organisation_successor_ids ?? [],
        });
  const user = Object.assign(new UserEntity(), {
    id: r.user_id,
    email: r.email,
    name: r.name,
    role: r.role,
    organisationId: r.organisation_id,
    active: r.active,
    representative: r.representative,
    sessionGeneration: r.session_generation,
    emailPreference: r.email_preference,
    mustChangePassword: r.must_change_password,
    createdAt: r.user_created_at,
    calendarTokenIssuedAt: r.calendar_token_issued_at,
    organisation,
  });
  return Object.assign(new WebSessionEntity(), {
    tokenHash: r.token_hash,
    userId: r.user_id,
    csrfToken: r.csrf_token,
    generation: r.generation,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    user,
  });
}

/** Compares a form's token with the session's in constant time. */
export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
