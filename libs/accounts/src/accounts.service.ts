import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { addYears } from 'date-fns';
import { CLOCK } from '@app/config';
import { type Clock, Conflict, NotFound, ValidationFailed, normaliseEmail } from '@app/domain';
import { AccountsRepository } from './accounts.repository';
import { OrganisationEntity, OrganisationKind } from './organisation.entity';
import { Principal } from './principal';
import { decoyHash, passwordHasher } from './password-hasher';
import { UserEntity } from './user.entity';

export interface NewUser {
  email: string;
  name: string;
  password: string;
  organisationId: string;
}

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly accounts: AccountsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  createOrganisation(name: string, kind: OrganisationKind): Promise<OrganisationEntity> {
    return this.accounts.insertOrganisation(name.trim(), kind);
  }

  listOrganisations(): Promise<OrganisationEntity[]> {
    return this.accounts.listOrganisations();
  }

  findOrganisations(ids: string[]): Promise<OrganisationEntity[]> {
    return this.accounts.findOrganisations(ids);
  }

  findUsers(ids: string[]): Promise<UserEntity[]> {
    return this.accounts.findUsers(ids);
  }

  /** Everyone who acts for these organisations, and these people. */
  userIdsOf(organisationIds: string[], userIds: string[]): Promise<string[]> {
    return this.accounts.userIdsOf(organisationIds, userIds);
  }

  async getOrganisation(id: string): Promise<OrganisationEntity> {
    const organisation = await this.accounts.findOrganisation(id);
    if (!organisation) throw new NotFound('organisation');
    return organisation;
  }

  async createUser(input: NewUser): Promise<UserEntity> {
    const organisation = await this.accounts.findOrganisation(input.organisationId);
    if (!organisation) {
      throw new ValidationFailed([{ field: 'organisationId', message: 'no organisation has this id' }]);
    }
    const user = await this.accounts.insertUser({
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      passwordHash: await passwordHasher.hash(input.password),
      role: 'member',
      organisationId: organisation.id,
    });
    if (!user) throw new Conflict('A user with this email already exists.');
    return user;
  }

  async getUser(id: string): Promise<UserEntity> {
    const user = await this.accounts.findUser(id);
    if (!user) throw new NotFound('user');
    return user;
  }

  listUsers(organisationId?: string): Promise<UserEntity[]> {
    return this.accounts.listUsers(organisationId);
  }

  /** The user whose email and password match, or undefined; takes as long either way. */
  async authenticate(email: string, password: string): Promise<UserEntity | undefined> {
    const user = await this.accounts.findUserForLogin(normaliseEmail(email));
    const ok = await passwordHasher.verify(user?.passwordHash ?? (await decoyHash()), password);
    return user && ok ? user : undefined;
  }

  /**
   * A long-lived secret for calendar apps, which cannot send a bearer token: it only opens the
   * user's calendar feeds, for a year from now. A new one replaces the old. Only its hash is stored.
   */
  async issueCalendarToken(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const issuedAt = this.clock.now();
    await this.accounts.setCalendarToken(userId, { hash: sha256(token), issuedAt });
    return { token, expiresAt: addYears(issuedAt, CALENDAR_TOKEN_YEARS) };
  }

  /** The user's calendar token stops opening feeds at once (the subscription link stops working). */
  async revokeCalendarToken(userId: string): Promise<void> {
    await this.accounts.setCalendarToken(userId, null);
  }

  /** When the user's calendar token expires, or null when they have none that still works. */
  async calendarTokenExpiry(userId: string): Promise<Date | null> {
    const issuedAt = await this.accounts.calendarTokenIssuedAt(userId);
    const expiresAt = issuedAt && addYears(issuedAt, CALENDAR_TOKEN_YEARS);
    return expiresAt && expiresAt > this.clock.now() ? expiresAt : null;
  }

  async principalForCalendarToken(token: string): Promise<Principal | undefined> {
    const user = await this.accounts.findUserByCalendarTokenHash(sha256(token), addYears(this.clock.now(), -CALENDAR_TOKEN_YEARS));
    if (!user) return undefined;
    return { userId: user.id, role: user.role, organisationId: user.organisationId, organisationKind: user.organisation?.kind ?? null };
  }

  /** On first start, when no user exists, creates the platform admin from the environment. */
  async bootstrapAdmin(email: string, password: string): Promise<boolean> {
    if (await this.accounts.anyUserExists()) return false;
    const created = await this.accounts.insertUser({
      email: normaliseEmail(email),
      name: 'Platform administrator',
      passwordHash: await passwordHasher.hash(password),
      role: 'admin',
      organisationId: null,
    });
    if (created) this.logger.log(`Created the platform admin ${created.email}`);
    return Boolean(created);
  }
}

/** How long a calendar token opens feeds after it was issued. */
const CALENDAR_TOKEN_YEARS = 1;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
