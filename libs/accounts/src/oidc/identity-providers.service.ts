/** An organisation's OpenID Connect provider: configured by its lead or an admin, and chosen at sign-in by email domain. */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Configuration } from 'openid-client';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Forbidden, NotFound, TransitionRefused, ValidationFailed } from '@app/domain';
import { OrganisationEntity } from '../organisation.entity';
import { Principal } from '../principal';
import { IdentityProviderDomainEntity, IdentityProviderEntity } from './identity-provider.entity';
import { DiscoveryFailed, oidcClient } from './oidc-client';
import { SecretBox } from './secret-box';

/** An organisation's provider as the API and the admin page show it: never the secret. */
export interface IdentityProviderView {
  issuer: string;
  clientId: string;
  emailDomains: string[];
  passwordsAllowed: boolean;
}

export interface IdentityProviderInput {
  issuer: string;
  clientId: string;
  clientSecret: string;
  emailDomains: string[];
  passwordsAllowed?: boolean;
}

/** A provider ready for a sign-in: its discovered configuration, which organisation, which domains. */
export interface ReadyProvider {
  organisationId: string;
  organisationName: string;
  issuer: string;
  emailDomains: string[];
  config: Configuration;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const UNIQUE_VIOLATION = '23505';

/** The domain of an email address, lower-cased ('' without one). */
export const emailDomainOf = (email: string): string =>
  email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();

/**
 * Organisations' OpenID Connect providers: configured by an admin or the organisation's lead,
 * checked against the issuer's discovery document before anything is stored, stored in one
 * transaction (the provider, its secret sealed, its domains, each one organisation's at most).
 */
@Injectable()
export class IdentityProvidersService {
  private readonly box: SecretBox;
  /** Discovered configurations by organisation and the row's last change: a change elsewhere is seen at once. */
  private readonly discovered = new LRUCache<string, Configuration>({ max: 1000, ttl: 10 * 60_000 });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.oidc.secretsKey);
  }

  /** Where providers send people back: registered with each provider. */
  get redirectUri(): string {
    return `${this.config.mail.publicWebUrl}/sign-in/oidc/callback`;
  }

  private requireManager(actor: Principal, organisationId: string): void {
    const manages = actor.role === 'admin' || (actor.role === 'lead' && actor.organisationId === organisationId);
    if (!manages) throw new Forbidden('Only a platform admin, or a lead of the organisation, manages its identity provider.');
  }

  private async requireOrganisation(organisationId: string): Promise<OrganisationEntity> {
    const organisation = await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id: organisationId });
    if (!organisation) throw new NotFound('organisation');
    return organisation;
  }

  async get(actor: Principal, organisationId: string): Promise<IdentityProviderView> {
    this.requireManager(actor, organisationId);
    const view = await this.viewOf(organisationId);
    if (!view) throw new NotFound('identity provider');
    return view;
  }

  /** The provider, or undefined (for pages that offer to configure one). */
  async viewOf(organisationId: string): Promise<IdentityProviderView | undefined> {
    const provider = await this.dataSource.getRepository(IdentityProviderEntity).findOneBy({ organisationId });
    if (!provider) return undefined;
    const domains = await this.dataSource.getRepository(IdentityProviderDomainEntity).find({ where: { organisationId }, order: { domain: 'ASC' } });
    return { issuer: provider.issuer, clientId: provider.clientId, emailDomains: domains.map((d) => d.domain), passwordsAllowed: provider.passwordsAllowed };
  }

  /**
   * Checks the input, the domains (none another organisation's) and the issuer's discovery
   * document (reachable, naming the endpoints a sign-in needs), then stores it all at once:
   * a refusal (422 naming what failed) leaves the earlier configuration as it was.
   */
  async configure(actor: Principal, organisationId: string, input: IdentityProviderInput): Promise<IdentityProviderView> {
    this.requireManager(actor, organisationId);
    await this.requireOrganisation(organisationId);
    const issuer = input.issuer.trim();
    const clientId = input.clientId.trim();
    const domains = [...new Set(input.emailDomains.map((d) => d.trim().toLowerCase().replace(/^@/, '')))];
    const problems = [];
    let url: URL | undefined;
    try {
      url = new URL(issuer);
    } catch {
      // Named below.
    }
    const schemes = this.config.oidc.allowInsecureIssuer ? ['https:', 'http:'] : ['https:'];
    if (!url || !schemes.includes(url.protocol) || url.search || url.hash) problems.push({ field: 'issuer', message: 'must be the provider’s https:// issuer URL, without a query' });
    if (!clientId || clientId.length > 500) problems.push({ field: 'clientId', message: 'must be 1 to 500 characters' });
    if (!input.clientSecret || input.clientSecret.length > 2000) problems.push({ field: 'clientSecret', message: 'must be 1 to 2000 characters' });
    if (!domains.length || domains.length > 50) problems.push({ field: 'emailDomains', message: 'must name 1 to 50 email domains' });
    const bad = domains.filter((d) => !DOMAIN.test(d));
    if (bad.length) problems.push({ field: 'emailDomains', message: `are not domains: ${bad.slice(0, 5).join(', ')}` });
    if (problems.length) throw new ValidationFailed(problems);

    const taken: { domain: string }[] = await this.dataSource.query('SELECT domain FROM identity_provider_domains WHERE domain = ANY($1::text[]) AND organisation_id <> $2 ORDER BY domain', [
      domains,
      organisationId,
    ]);
    if (taken.length) throw new TransitionRefused(takenMessage(taken.map((t) => t.domain)));
    try {
      await oidcClient.discover(issuer, clientId, input.clientSecret, this.config.oidc.allowInsecureIssuer);
    } catch (error) {
      if (error instanceof DiscoveryFailed) throw new TransitionRefused(error.message);
      throw error;
    }
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.getRepository(IdentityProviderEntity).upsert(
          {
            organisationId,
            issuer,
            clientId,
            clientSecretEncrypted: this.box.seal(input.clientSecret, organisationId),
            passwordsAllowed: input.passwordsAllowed ?? true,
            updatedAt: new Date(),
          },
          ['organisationId'],
        );
        await manager.getRepository(IdentityProviderDomainEntity).delete({ organisationId });
        await manager.getRepository(IdentityProviderDomainEntity).insert(domains.map((domain) => ({ domain, organisationId })));
      });
    } catch (error) {
      // Another organisation claimed a domain meanwhile: nothing of this one was stored.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new TransitionRefused(takenMessage(domains));
      throw error;
    }
    return (await this.viewOf(organisationId))!;
  }

  async remove(actor: Principal, organisationId: string): Promise<void> {
    this.requireManager(actor, organisationId);
    const result = await this.dataSource.getRepository(IdentityProviderEntity).delete({ organisationId });
    if (!result.affected) throw new NotFound('identity provider');
  }

  /** Every configured provider's organisation, by name: the sign-in page's choices. */
  async signInChoices(): Promise<{ organisationId: string; organisationName: string }[]> {
    const rows: { organisation_id: string; name: string }[] = await this.dataSource.query(
      'SELECT p.organisation_id, o.name FROM identity_providers p JOIN organisations o ON o.id = p.organisation_id ORDER BY o.name, o.id',
    );
    return rows.map((r) => ({ organisationId: r.organisation_id, organisationName: r.name }));
  }

  /** The organisation whose provider vouches for this email's domain, if any. */
  async organisationForEmail(email: string): Promise<string | undefined> {
    const [row]: { organisation_id: string }[] = await this.dataSource.query('SELECT organisation_id FROM identity_provider_domains WHERE domain = $1', [emailDomainOf(email)]);
    return row?.organisation_id;
  }

  /**
   * Why a password sign-in is refused: the email's domain, or the user's organisation, belongs to
   * an organisation that switched passwords off (the message names its provider); else undefined.
   */
  async passwordRefusal(email: string, organisationId: string | null): Promise<string | undefined> {
    const [row]: { name: string }[] = await this.dataSource.query(
      `SELECT o.name FROM identity_providers p JOIN organisations o ON o.id = p.organisation_id
       WHERE NOT p.passwords_allowed AND (p.organisation_id = $2 OR p.organisation_id = (SELECT organisation_id FROM identity_provider_domains WHERE domain = $1))
       LIMIT 1`,
      [emailDomainOf(email), organisationId],
    );
    return row && `${row.name} does not use passwords here: sign in with “Sign in with ${row.name}”, through its identity provider.`;
  }

  /** The provider discovered and ready for a sign-in (kept for 10 minutes per configuration). */
  async ready(organisationId: string): Promise<ReadyProvider | undefined> {
    const provider = await this.dataSource
      .getRepository(IdentityProviderEntity)
      .createQueryBuilder('p')
      .addSelect('p.clientSecretEncrypted')
      .leftJoinAndSelect('p.organisation', 'o')
      .where('p.organisationId = :organisationId', { organisationId })
      .getOne();
    if (!provider) return undefined;
    const domains = await this.dataSource.getRepository(IdentityProviderDomainEntity).find({ where: { organisationId } });
    const key = `${organisationId}|${provider.updatedAt.toISOString()}`;
    let config = this.discovered.get(key);
    if (!config) {
      const secret = this.box.open(provider.clientSecretEncrypted, organisationId);
      if (secret === undefined) throw new DiscoveryFailed(true, 'Its client secret cannot be read here (SECRETS_KEY changed?): an admin or lead must enter it again.');
      config = await oidcClient.discover(provider.issuer, provider.clientId, secret, this.config.oidc.allowInsecureIssuer);
      this.discovered.set(key, config);
    }
    return { organisationId, organisationName: provider.organisation?.name ?? '', issuer: provider.issuer, emailDomains: domains.map((d) => d.domain), config };
  }
}

const takenMessage = (domains: string[]) =>
  `The email domain${domains.length === 1 ? '' : 's'} ${domains.join(', ')} ${domains.length === 1 ? 'belongs' : 'belong'} to another organisation’s identity provider: an organisation signs in only its own domains.`;
