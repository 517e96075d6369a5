/** Signing in through an organisation's OpenID Connect provider, from the redirect to the verified person. */
import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import IORedis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { normaliseEmail } from '@app/domain';
import { REDIS } from '@app/queue';
import { AccountsRepository } from '../accounts.repository';
import { addressKey, refusedWith } from '../rate-limits';
import { UserEntity } from '../user.entity';
import { UserIdentityEntity } from './identity-provider.entity';
import { IdentityProvidersService, emailDomainOf } from './identity-providers.service';
import { DiscoveryFailed, ExchangeFailed, oidcClient } from './oidc-client';

/** How long a started sign-in waits for the provider's answer. */
export const OIDC_FLOW_SECONDS = 600;

/**
 * Why a sign-in through a provider did not sign anyone in, each with words for the page:
 * `expired` (state unknown, used already or from another browser), `refused` (the provider's
 * answer did not verify, or said no), `not-allowed` (verified, but not someone this organisation
 * may sign in: unverified email, another domain, deactivated), `down` (the provider did not answer).
 */
export class OidcSignInFailed extends Error {
  constructor(
    readonly reason: 'expired' | 'refused' | 'not-allowed' | 'down' | 'unknown-organisation',
    message: string,
  ) {
    super(message);
  }
}

interface Flow {
  organisationId: string;
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The authorisation-code flow with an organisation's provider. A start keeps its state, nonce and
 * PKCE verifier in Redis for ten minutes under the state's hash (taken once: a replayed state
 * finds nothing); the browser keeps the state in a cookie, so an answer is only taken in the
 * browser that started it. Starts are limited per address and per email.
 */
@Injectable()
export class OidcSignInService {
  private readonly logger = new Logger(OidcSignInService.name);
  private readonly perAddress: RateLimiterRedis;
  private readonly perEmail: RateLimiterRedis;

  constructor(
    private readonly providers: IdentityProvidersService,
    private readonly accounts: AccountsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: IORedis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const common = { storeClient: redis, duration: 60, points: config.oidc.startsPerMinute };
    this.perAddress = new RateLimiterRedis({ ...common, keyPrefix: `${config.redis.prefix}:oidc-start:address` });
    this.perEmail = new RateLimiterRedis({ ...common, keyPrefix: `${config.redis.prefix}:oidc-start:email` });
  }

  private get redirectUri(): string {
    return this.providers.redirectUri;
  }

  /** Where to send the browser (the provider's authorization endpoint), and the state for its cookie. */
  async start(organisationId: string, address: string, options: { email?: string; next: string }): Promise<{ url: string; state: string }> {
    const tooMany = refusedWith((wait) => `Too many sign-ins started. Try again in ${wait}.`);
    await this.perAddress.consume(addressKey(address)).catch(tooMany);
    if (options.email) await this.perEmail.consume(normaliseEmail(options.email)).catch(tooMany);
    const provider = await this.readyOrFail(organisationId);
    const { url, state, nonce, verifier } = await oidcClient.authorizationUrl(provider.config, this.redirectUri, options.email);
    const flow: Flow = { organisationId, state, nonce, verifier, next: options.next };
    await this.redis.set(this.flowKey(state), JSON.stringify(flow), 'EX', OIDC_FLOW_SECONDS);
    return { url, state };
  }

  /**
   * The provider's answer: the flow taken (once), the code exchanged and the ID token verified,
   * then the person found by (issuer, subject), or on first sign-in made (or linked) in the
   * organisation when the verified email is of its domains. Returns the active user and where to go.
   */
  async finish(query: Record<string, unknown>, cookieState: string | undefined): Promise<{ user: UserEntity; next: string }> {
    const state = typeof query.state === 'string' ? query.state : '';
    if (!state || !cookieState || state !== cookieState) {
      throw new OidcSignInFailed('expired', 'This sign-in was not started in this browser, or has expired. Start again from the sign-in page.');
    }
    const stored = await this.redis.getdel(this.flowKey(state));
    if (!stored) throw new OidcSignInFailed('expired', 'This sign-in has been used already, or has expired. Start again from the sign-in page.');
    const flow = JSON.parse(stored) as Flow;
    const provider = await this.readyOrFail(flow.organisationId);
    const callback = new URL(this.redirectUri);
    for (const [name, value] of Object.entries(query)) if (typeof value === 'string') callback.searchParams.set(name, value);
    let claims;
    try {
      claims = await oidcClient.exchange(provider.config, callback, flow);
    } catch (error) {
      if (!(error instanceof ExchangeFailed)) throw error;
      // The reason only (never a code, token or claim).
      this.logger.warn(`A sign-in through ${provider.organisationName}'s identity provider failed: it ${error.message}`);
      if (error.down) throw new OidcSignInFailed('down', `${provider.organisationName}’s sign-in service did not answer. Try again in a few minutes.`);
      throw new OidcSignInFailed('refused', `${provider.organisationName}’s sign-in service ${error.message}. Nobody was signed in.`);
    }
    const user = await this.userFor(provider.organisationId, provider.organisationName, provider.emailDomains, claims);
    return { user, next: flow.next };
  }

  private async userFor(
    organisationId: string,
    organisationName: string,
    domains: string[],
    claims: { iss: string; sub: string; email?: string; emailVerified: boolean; name?: string },
  ): Promise<UserEntity> {
    const identities = this.dataSource.getRepository(UserIdentityEntity);
    const known = await identities.findOneBy({ issuer: claims.iss, subject: claims.sub });
    if (known) return this.allowed(await this.accounts.findUser(known.userId), organisationId, organisationName);
    if (!claims.email || !claims.emailVerified) {
      throw new OidcSignInFailed('not-allowed', `${organisationName}’s sign-in service did not confirm your email address is verified, so you cannot be signed in here. Ask your IT team.`);
    }
    const email = normaliseEmail(claims.email);
    if (!domains.includes(emailDomainOf(email))) {
      throw new OidcSignInFailed('not-allowed', `Your email address is not one of ${organisationName}’s email domains here (${domains.join(', ')}), so you cannot be signed in as one of its people.`);
    }
    const existing = await this.accounts.findUserForLogin(email);
    const user =
      existing ??
      (await this.accounts.insertUser({ email, name: (claims.name ?? email).trim().slice(0, 200) || email, passwordHash: '', role: 'member', organisationId })) ??
      (await this.accounts.findUserForLogin(email));
    const allowed = this.allowed(user && (await this.accounts.findUser(user.id)), organisationId, organisationName);
    await identities.insert({ issuer: claims.iss, subject: claims.sub, userId: allowed.id }).catch((error: { code?: string }) => {
      if (error.code !== '23505') throw error;
    });
    return allowed;
  }

  private allowed(user: UserEntity | null | undefined, organisationId: string, organisationName: string): UserEntity {
    if (!user || user.organisationId !== organisationId) {
      throw new OidcSignInFailed('not-allowed', `Your account here is not one of ${organisationName}’s, so its sign-in service cannot sign you in. A platform admin can help.`);
    }
    if (!user.active) throw new OidcSignInFailed('not-allowed', 'This account has been deactivated. Ask a lead of your organisation or a platform admin.');
    return user;
  }

  private async readyOrFail(organisationId: string) {
    try {
      const provider = await this.providers.ready(organisationId);
      if (!provider) throw new OidcSignInFailed('unknown-organisation', 'This organisation does not sign its people in with an identity provider here.');
      return provider;
    } catch (error) {
      if (!(error instanceof DiscoveryFailed)) throw error;
      this.logger.warn(`An identity provider could not be used: ${error.message}`);
      throw new OidcSignInFailed(
        'down',
        error.reachable
          ? `The organisation’s sign-in service cannot be used now. ${error.message}`
          : 'The organisation’s sign-in service did not answer. Try again in a few minutes, or ask your IT team.',
      );
    }
  }

  private flowKey(state: string): string {
    return `${this.config.redis.prefix}:oidc-flow:${sha256(state)}`;
  }
}
