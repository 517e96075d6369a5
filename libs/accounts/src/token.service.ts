/** Short-lived signed access tokens: issued at sign-in and verified, algorithm pinned, on every request. */
import { KeyObject, createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, APP_CONFIG, AppConfig, deriveKey } from '@app/config';
import { Unauthenticated } from '@app/domain';
import { ORGANISATION_KINDS, OrganisationKind } from './organisation.entity';
import { Principal } from './principal';
import { USER_ROLES, UserEntity, UserRole } from './user.entity';

const VERIFIED_TOKENS_KEPT = 10_000;

interface Claims {
  sub: string;
  role: UserRole;
  org: string | null;
  kind: OrganisationKind | null;
  /** The user's session generation when it was issued. */
  gen: number;
}

/**
 * Short-lived HS256 access tokens, signed with their own key (derived from JWT_SECRET by HKDF),
 * naming their issuer and audience. Verification pins the algorithm (`alg: none` is refused),
 * the issuer and the audience. A
 * verified token says who signed in; whether they still may act (active, same session generation)
 * is AccountsService.requireCurrent's to say, on every request.
 */
@Injectable()
export class TokenService {
  /** Made once: jsonwebtoken would otherwise build a key object from the string on every call. */
  private readonly key: KeyObject;
  /** Tokens already verified, each until it expires: a client sends the same token with every
   *  request. The least recently used go first when it is full (they are then verified again). */
  // Expiry is read on the wall clock, as the token's own `exp` is.
  private readonly verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS_KEPT, perf: { now: () => Date.now() }, ttlResolution: 0 });

  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.key = createSecretKey(deriveKey(config.jwt.secret, 'access-token'));
  }

  issue(user: UserEntity): { accessToken: string; tokenType: 'Bearer'; expiresIn: number; usesDefaultCredentials: boolean } {
    const claims: Claims = {
      sub: user.id,
      role: user.role,
      org: user.organisationId,
      kind: user.organisation?.kind ?? null,
      gen: user.sessionGeneration,
    };
    const accessToken = this.jwt.sign(claims, {
      secret: this.key as unknown as string,
      algorithm: 'HS256',
      expiresIn: this.config.jwt.ttlSeconds,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwt.ttlSeconds, usesDefaultCredentials: user.mustChangePassword };
  }

  verify(token: string): Principal {
    // A copy per request: a request's principal is its own (services memoise per request on it).
    const known = this.verified.get(token);
    if (known) return { ...known };
    const principal = this.verifyAfresh(token);
    const exp = (this.jwt.decode<{ exp?: number }>(token) ?? {}).exp;
    const ttl = typeof exp === 'number' ? exp * 1000 - Date.now() : 0;
    if (ttl > 0) this.verified.set(token, principal, { ttl });
    return { ...principal };
  }

  private verifyAfresh(token: string): Principal {
    let claims: Partial<Claims>;
    try {
      claims = this.jwt.verify<Claims>(token, {
        secret: this.key as unknown as string,
        algorithms: ['HS256'],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
      });
    } catch {
      throw new Unauthenticated('The access token is invalid or has expired. Log in again.');
    }
    const valid =
      typeof claims.sub === 'string' &&
      (USER_ROLES as readonly string[]).includes(claims.role as UserRole) &&
      (claims.org === null || typeof claims.org === 'string') &&
      (claims.kind === null || ORGANISATION_KINDS.includes(claims.kind as OrganisationKind)) &&
      Number.isInteger(claims.gen);
    if (!valid) throw new Unauthenticated('The access token is invalid or has expired. Log in again.');
    return {
      userId: claims.sub!,
      role: claims.role!,
      organisationId: claims.org ?? null,
      organisationKind: claims.kind ?? null,
      generation: claims.gen!,
    };
  }
}
