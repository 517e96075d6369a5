import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Principal, principalOf } from './principal';
import { UserEntity } from './user.entity';
import { WebSessionEntity } from './web-session.entity';

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
    // One statement (findOne with relations makes TypeORM read the key first, then the rows), with
    // the unread notifications the page's frame shows: every page asks, and each round trip costs.
    const {
      entities: [session],
      raw: [row],
    } = await this.dataSource
      .getRepository(WebSessionEntity)
      .createQueryBuilder('session')
      .innerJoinAndSelect('session.user', 'user')
      .leftJoinAndSelect('user.organisation', 'organisation')
      .addSelect('(SELECT count(*) FROM notifications n WHERE n.user_id = session.user_id AND n.read_at IS NULL)', 'unread')
      .where('session.tokenHash = :hash', { hash: sha256(token) })
      .getRawAndEntities();
    if (!session?.user || session.expiresAt.getTime() <= Date.now()) return undefined;
    const user = session.user;
    if (!user.active || session.generation !== user.sessionGeneration) return undefined;
    return { user, csrfToken: session.csrfToken, principal: principalOf(user), unread: Number((row as { unread: string }).unread) };
  }

  /** Ends every session of the user (deactivated, or their password changed). */
  async endAll(userId: string): Promise<void> {
    await this.dataSource.getRepository(WebSessionEntity).delete({ userId });
  }

  async end(token: string | undefined): Promise<void> {
    if (token) await this.dataSource.getRepository(WebSessionEntity).delete({ tokenHash: sha256(token) });
  }
}

/** Compares a form's token with the session's in constant time. */
export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
