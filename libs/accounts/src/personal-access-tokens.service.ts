/** People's personal access tokens for scripts and partner systems: made, listed, revoked and checked. */
import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { addDays } from 'date-fns';
import { DataSource } from 'typeorm';
import { CLOCK } from '@app/config';
import { type Clock, Forbidden, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { ORGANISATION_KINDS, OrganisationKind } from './organisation.entity';
import { PersonalAccessTokenEntity, TOKEN_SCOPES, TokenScope } from './personal-access-token.entity';
import { Principal } from './principal';
import { USER_ROLES, UserRole } from './user.entity';

/** Every personal access token starts so: a bearer token that is not a signed access token. */
export const PERSONAL_TOKEN_PREFIX = 'cct_';
export const MAX_TOKEN_DAYS = 365;
/** Enough for a person's scripts and partners; a runaway script cannot fill the table. */
export const MAX_TOKENS_PER_PERSON = 50;
/** A token's last use is written at most this often: a script's every request does not write. */
const LAST_USE_RESOLUTION_MS = 60_000;

/** A token as its owner sees it listed (never the token itself). */
export interface PersonalAccessToken {
  id: string;
  name: string;
  scope: TokenScope;
  expiresAt: Date;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export interface NewPersonalAccessToken {
  name: string;
  scope: TokenScope;
  expiresInDays: number;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Personal access tokens for scripts and partner systems. A token is checked on every request
 * against PostgreSQL with its owner: revoked, expired or a deactivated owner → refused at once;
 * the owner's role and organisation are read afresh each time (nothing is carried in the token).
 */
@Injectable()
export class PersonalAccessTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get tokens() {
    return this.dataSource.getRepository(PersonalAccessTokenEntity);
  }

  /** A new token for the caller, shown once; only its hash is kept. A token cannot make another. */
  async create(caller: Principal, input: NewPersonalAccessToken): Promise<{ token: string; record: PersonalAccessToken }> {
    if (caller.tokenScope) throw new Forbidden('A personal access token cannot make tokens: sign in as yourself to make one.');
    const name = input.name.trim();
    const problems = [
      ...(!name || name.length > 100 ? [{ field: 'name', message: 'must be 1 to 100 characters' }] : []),
      ...(!TOKEN_SCOPES.includes(input.scope) ? [{ field: 'scope', message: 'must be read or write' }] : []),
      ...(!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_DAYS
        ? [{ field: 'expiresInDays', message: `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}` }]
        : []),
    ];
    if (problems.length) throw new ValidationFailed(problems);
    const now = this.clock.now();
    const live = await this.tokens.createQueryBuilder('t').where('t.userId = :userId AND t.expiresAt > :now', { userId: caller.userId, now }).getCount();
    if (live >= MAX_TOKENS_PER_PERSON) throw new TransitionRefused(`You have ${MAX_TOKENS_PER_PERSON} tokens that still work: revoke one you no longer use first.`);
    const token = `${PERSONAL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await this.tokens.save(
      this.tokens.create({ userId: caller.userId, name, scope: input.scope, tokenHash: sha256(token), expiresAt: addDays(now, input.expiresInDays), lastUsedAt: null }),
    );
    return { token, record: recordOf(saved) };
  }

  /** The person's tokens, newest first, expired ones too (marked by their expiry). */
  async list(userId: string): Promise<PersonalAccessToken[]> {
    return (await this.tokens.find({ where: { userId }, order: { createdAt: 'DESC', id: 'ASC' } })).map(recordOf);
  }

  /** The token stops at once. Another person's token, or none: 404 alike. */
  async revoke(userId: string, id: string): Promise<void> {
    const result = await this.tokens.delete({ id, userId });
    if (!result.affected) throw new NotFound('token');
  }

  /**
   * Who the token acts for, when it exists, has not expired and its owner is active: one
   * statement that also notes its use (at most once a minute).
   */
  async principalFor(token: string): Promise<Principal | undefined> {
    if (!token.startsWith(PERSONAL_TOKEN_PREFIX) || token.length > 100) return undefined;
    const now = this.clock.now();
    const [row]: TokenRow[] = await this.dataSource.query(PRINCIPAL_OF_TOKEN, [sha256(token), now, new Date(now.getTime() - LAST_USE_RESOLUTION_MS)]);
    // A guest signs in only with the web session their invitation opened: no token of theirs is taken.
    if (!row || !(USER_ROLES as readonly string[]).includes(row.role) || (row.kind !== null && !ORGANISATION_KINDS.includes(row.kind))) return undefined;
    return {
      userId: row.user_id,
      role: row.role,
      organisationId: row.organisation_id,
      organisationKind: row.kind,
      generation: row.session_generation,
      tokenScope: row.scope,
    };
  }
}

interface TokenRow {
  user_id: string;
  scope: TokenScope;
  role: UserRole;
  organisation_id: string | null;
  kind: OrganisationKind | null;
  session_generation: number;
}

/** The token with its active owner; its last use moved on when it is a minute old or more. */
const PRINCIPAL_OF_TOKEN = `WITH found AS (
    SELECT t.id, t.user_id, t.scope, u.role, u.organisation_id, o.kind, u.session_generation
    FROM personal_access_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
    WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.active),
  touched AS (
    UPDATE personal_access_tokens SET last_used_at = $2
    WHERE id = (SELECT id FROM found) AND (last_used_at IS NULL OR last_used_at <= $3))
  SELECT user_id, scope, role, organisation_id, kind, session_generation FROM found`;

const recordOf = (t: PersonalAccessTokenEntity): PersonalAccessToken => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
  createdAt: t.createdAt,
});
