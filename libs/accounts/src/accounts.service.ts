/** Organisations and their users: signing in, creating and changing users, and whether a person may still act. */
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { addYears } from 'date-fns';
import { LRUCache } from 'lru-cache';
import { type AppConfig, CLOCK } from '@app/config';
import { Batcher } from '@app/database';
import { type Clock, Conflict, Forbidden, NotFound, TransitionRefused, Unauthenticated, ValidationFailed, normaliseEmail } from '@app/domain';
import { AccountsRepository, type ChoosableUser } from './accounts.repository';
import { OrganisationEntity, OrganisationKind } from './organisation.entity';
import { Principal, isAdmin, principalOf } from './principal';
import { decoyHash, passwordHasher } from './password-hasher';
import { passwordProblem } from './password-policy';
import { EmailPreference, UserEntity } from './user.entity';
import { WebSessionsService } from './web-sessions.service';
import { LoginLimiter } from './login-limiter';

/** What an admin, or a lead of the user's organisation, may change about a user. */
export interface UserChanges {
  active?: boolean;
  representative?: boolean;
  role?: 'member' | 'lead';
  /** Admins only. */
  password?: string;
}

/** A lead tried to undo a platform admin's act (a deactivation, a role): 403, naming the field. */
export class AdminActStands extends Forbidden {
  constructor(
    readonly field: 'active' | 'role',
    message: string,
  ) {
    super(message);
  }
}

/** How long a user's standing (active, session generation) is trusted before it is read again. */
const STANDING_TTL_MS = 1000;

export interface NewUser {
  email: string;
  name: string;
  password: string;
  organisationId: string;
}

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  /**
   * Each user's standing, read at most once a second per process: a deactivated user's earlier
   * tokens are refused within a second, without a database read on every request.
   */
  private readonly standing = new LRUCache<string, { active: boolean; generation: number }>({ max: 50_000, ttl: STANDING_TTL_MS, ttlResolution: 0 });

  /**
   * Standings that are not cached (or have expired) are read together: under load every user's
   * standing expires each second, and one statement for all that expired at the same moment costs
   * one round trip instead of one each.
   */
  private readonly standingReads = new Batcher<string, { active: boolean; generation: number }>(
    async (ids) => {
      const found = await this.accounts.standingOf([...new Set(ids)]);
      return ids.map((id) => found.get(id) ?? { active: false, generation: -1 });
    },
    { maxBatch: 500, maxInFlight: 1 },
  );

  private readonly representatives = new LRUCache<string, { id: string; name: string }[]>({ max: 10_000, ttl: STANDING_TTL_MS, ttlResolution: 0 });

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly sessions: WebSessionsService,
    private readonly limiter: LoginLimiter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Who commits an organisation: its active representatives' names (none: any of its users may),
   * and whether this person is one. Read at most once a second per organisation.
   */
  async representationOf(userId: string, organisationId: string | null): Promise<{ representative: boolean; representatives: string[] }> {
    if (!organisationId) return { representative: false, representatives: [] };
    let representatives = this.representatives.get(organisationId);
    if (!representatives) {
      representatives = await this.accounts.representativesOf(organisationId);
      this.representatives.set(organisationId, representatives);
    }
    return { representative: representatives.some((r) => r.id === userId), representatives: representatives.map((r) => r.name) };
  }

  /** How the person gets notifications by email (`PUT /v1/me/preferences`, or an unsubscribe link). */
  async setEmailPreference(userId: string, email: EmailPreference): Promise<void> {
    await this.accounts.updateUser(userId, { emailPreference: email });
  }

  /** Who acts for each organisation (its representatives, or all its users), and the admins. */
  recipientsOf(organisationIds: string[]): Promise<{ byOrganisation: Map<string, string[]>; admins: string[] }> {
    return this.accounts.recipientsOf([...new Set(organisationIds)]);
  }

  activeOf(userIds: string[]): Promise<Set<string>> {
    return this.accounts.activeOf([...new Set(userIds)]);
  }

  /** 401 unless the caller's token was issued to an active user in their current session generation. */
  async requireCurrent(principal: Principal): Promise<void> {
    let standing = this.standing.get(principal.userId);
    if (!standing) {
      standing = await this.standingReads.add(principal.userId);
      // Every standing expires at the turn of a second (at most a second after it was read): those
      // read again then are read together.
      this.standing.set(principal.userId, standing, { ttl: STANDING_TTL_MS - (this.clock.now().getTime() % STANDING_TTL_MS) });
    }
    if (!standing.active) throw new Unauthenticated('This account has been deactivated.');
    if (standing.generation !== principal.generation) throw new Unauthenticated('This sign-in has ended (the password changed). Log in again.');
  }

  /**
   * An admin changes any user; a lead changes their own organisation's members (active,
   * representative, role, not a password), but does not undo an admin's deactivation or role
   * change. Deactivating, a new role or setting a password ends every earlier
   * token, session and calendar token of the user.
   */
  async updateUser(actor: Principal, id: string, changes: UserChanges): Promise<UserEntity> {
    const admin = isAdmin(actor);
    const user = admin ? await this.getUser(id) : await this.userLedBy(actor, id);
    if (!admin) {
      if (changes.password !== undefined) throw new Forbidden('Only a platform admin sets another person’s password.');
      const byAdmin = await this.accounts.setByAdmin(id);
      // Deactivating is always a lead's to do (the safe way); reactivating whom an admin deactivated is not.
      if (changes.active === true && !user.active && byAdmin.active) {
        throw new AdminActStands('active', 'A platform admin deactivated this user: only a platform admin reactivates them.');
      }
      if (changes.role !== undefined && changes.role !== user.role && byAdmin.role) {
        throw new AdminActStands('role', 'A platform admin set this user’s role: only a platform admin changes it.');
      }
    }
    if (user.role === 'admin' && (changes.role !== undefined || changes.representative !== undefined)) {
      throw new ValidationFailed([{ field: changes.role !== undefined ? 'role' : 'representative', message: 'does not apply to a platform admin' }]);
    }
    // A guest belongs to no organisation: no role of one, nor a password (an invitation's link signs them in).
    if (user.role === 'guest' && (changes.role !== undefined || changes.representative !== undefined || changes.password !== undefined)) {
      const field = changes.role !== undefined ? 'role' : changes.representative !== undefined ? 'representative' : 'password';
      throw new ValidationFailed([{ field, message: 'does not apply to a guest (a person invited to a cycle)' }]);
    }
    if (changes.active === false && id === actor.userId) throw new ValidationFailed([{ field: 'active', message: 'you cannot deactivate yourself' }]);
    const problem = changes.password !== undefined ? passwordProblem(changes.password) : undefined;
    if (problem) throw new ValidationFailed([{ field: 'password', message: problem }]);
    // A new password, deactivation or a changed role (tokens carry it) ends every earlier sign-in.
    const endsSessions = (changes.active === false && user.active) || changes.password !== undefined || (changes.role !== undefined && changes.role !== user.role);
    await this.accounts.updateUser(id, {
      ...(changes.active !== undefined && changes.active !== user.active && { active: changes.active, activeSetByAdmin: admin }),
      ...(changes.representative !== undefined && { representative: changes.representative }),
      ...(changes.role !== undefined && changes.role !== user.role && { role: changes.role, roleSetByAdmin: admin }),
      ...(changes.password !== undefined && { passwordHash: await passwordHasher.hash(changes.password) }),
      endsSessions,
    });
    if (endsSessions) await this.ended(id);
    this.standing.delete(id);
    if (user.organisationId) this.representatives.delete(user.organisationId);
    return this.getUser(id);
  }

  /**
   * The person changes their own password: every other token, session and their calendar token
   * end; answers the user for a fresh token. The current password is checked as a login's is:
   * counted per account and address (RateLimited when used up), the owner told by email when
   * the wrong ones lock it (someone with a stolen session guessing it).
   */
  async changePassword(principal: Principal, currentPassword: string, newPassword: string, address: string): Promise<UserEntity> {
    const user = await this.accounts.findUserForLogin(undefined, principal.userId);
    if (!user) throw new Unauthenticated('This account no longer exists.');
    const attempt = await this.limiter.attempt(user.email, address);
    if (!(await passwordHasher.verify(user.passwordHash, currentPassword))) {
      await this.limiter.failed(attempt, 'password-change');
      throw new ValidationFailed([{ field: 'currentPassword', message: 'is not your current password' }]);
    }
    await this.limiter.succeeded(user.email, address);
    const problem = passwordProblem(newPassword);
    if (problem) throw new ValidationFailed([{ field: 'newPassword', message: problem }]);
    if (newPassword === currentPassword) throw new ValidationFailed([{ field: 'newPassword', message: 'must differ from the current password' }]);
    await this.accounts.updateUser(user.id, { passwordHash: await passwordHasher.hash(newPassword), mustChangePassword: false, endsSessions: true });
    await this.ended(user.id);
    return this.getUser(user.id);
  }

  /**
   * The user a lead manages (one of their own organisation's); the same 403 whether the user is
   * someone else's or does not exist, so that a lead learns nothing of other organisations.
   */
  private async userLedBy(actor: Principal, id: string): Promise<UserEntity> {
    const user = await this.accounts.findUser(id);
    const leads = actor.role === 'lead' && actor.organisationId !== null && user !== null && actor.organisationId === user.organisationId;
    if (!leads) throw new Forbidden('Only a platform admin, or a lead of the user’s own organisation, changes a user.');
    return user;
  }

  /** Whether the person has a password here (people made by their organisation's identity provider have none). */
  async hasPassword(userId: string): Promise<boolean> {
    return Boolean((await this.accounts.findUserForLogin(undefined, userId))?.passwordHash);
  }

  /** The active user with this (normalised) email, if any: whose owner to tell of a lockout. */
  async findActiveByEmail(email: string): Promise<UserEntity | undefined> {
    const user = await this.accounts.findUserForLogin(normaliseEmail(email));
    return user?.active ? user : undefined;
  }

  /** Web sessions deleted and this process's standing forgotten (others read it within a second). */
  /**
   * Erases a person's account in the caller's transaction (`m`): "Former member of <organisation>"
   * (a guest: "Former guest"; an admin: "Former platform admin") in place of their name, and
   * everything that signs them in gone. Answers the name they had and the name they have now.
   */
  async eraseAccount(m: EntityManager, id: string): Promise<{ name: string; formerName: string }> {
    const user = await this.getUser(id);
    const formerName = user.role === 'guest' ? 'Former guest' : user.role === 'admin' ? 'Former platform admin' : `Former member of ${user.organisation?.name ?? 'their organisation'}`;
    await this.accounts.eraseUser(m, id, formerName);
    this.standing.delete(id);
    if (user.organisationId) this.representatives.delete(user.organisationId);
    return { name: user.name, formerName };
  }

  /** How many active platform admins there are besides `userId`. */
  async otherActiveAdmins(userId: string): Promise<number> {
    return (await this.accounts.listUsers()).filter((u) => u.role === 'admin' && u.active && u.id !== userId).length;
  }

  private async ended(userId: string): Promise<void> {
    this.standing.delete(userId);
    await this.sessions.endAll(userId);
  }

  createOrganisation(name: string, kind: OrganisationKind): Promise<OrganisationEntity> {
    return this.accounts.insertOrganisation(name.trim(), kind);
  }

  listOrganisations(): Promise<OrganisationEntity[]> {
    return this.accounts.listOrganisations();
  }

  findOrganisations(ids: string[]): Promise<OrganisationEntity[]> {
    return this.accounts.findOrganisations(ids);
  }

  /** Names of organisations and users by id, read together (a page names both). */
  namesOf(organisationIds: string[], userIds: string[]): Promise<{ organisations: Map<string, string>; users: Map<string, string> }> {
    return this.accounts.namesOf(organisationIds, userIds);
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

  /** An admin creates users of any organisation; a lead, of their own. */
  async createUser(input: NewUser, actor?: Principal): Promise<UserEntity> {
    if (actor && !isAdmin(actor) && !(actor.role === 'lead' && actor.organisationId === input.organisationId)) {
      throw new Forbidden('Only a platform admin, or a lead of the organisation, creates its users.');
    }
    const problem = passwordProblem(input.password);
    if (problem) throw new ValidationFailed([{ field: 'password', message: problem }]);
    const organisation = await this.accounts.findOrganisation(input.organisationId);
    if (!organisation) {
      throw new ValidationFailed([{ field: 'organisationId', message: 'no organisation has this id' }]);
    }
    if (organisation.dissolvedAt) throw new TransitionRefused(`${organisation.name} was dissolved in a reorganisation: add the person to its successor instead.`);
    const user = await this.accounts.insertUser({
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      passwordHash: await passwordHasher.hash(input.password),
      role: 'member',
      organisationId: organisation.id,
    });
    // The same answer for a lead whether the address is their organisation's or anyone else's:
    // it says the address cannot be used, not who has it.
    if (!user) throw new Conflict(actor && !isAdmin(actor) ? UNUSABLE_EMAIL : 'A user with this email already exists.');
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

  /** The users of these organisations and of every organisation of this kind, in one statement (see the repository). */
  choosableUsers(organisationIds: string[], kind: OrganisationKind): Promise<{ ofOrganisations: ChoosableUser[]; ofKind: ChoosableUser[] }> {
    return this.accounts.choosableUsers(organisationIds, kind);
  }

  /** The active user whose email and password match, or undefined; takes as long either way. */
  async authenticate(email: string, password: string): Promise<UserEntity | undefined> {
    const user = await this.accounts.findUserForLogin(normaliseEmail(email));
    const ok = await passwordHasher.verify(user?.passwordHash ?? (await decoyHash()), password);
    // A dissolved organisation acts no more: its users (normally moved to its successor) cannot sign in.
    return user && ok && user.active && !user.organisation?.dissolvedAt ? user : undefined;
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

  /** When the user's calendar token expires, or null when they have none that still works (the user as their session read them). */
  calendarTokenExpiry({ calendarTokenIssuedAt: issuedAt }: Pick<UserEntity, 'calendarTokenIssuedAt'>): Date | null {
    const expiresAt = issuedAt && addYears(issuedAt, CALENDAR_TOKEN_YEARS);
    return expiresAt && expiresAt > this.clock.now() ? expiresAt : null;
  }

  async principalForCalendarToken(token: string): Promise<Principal | undefined> {
    const user = await this.accounts.findUserByCalendarTokenHash(sha256(token), addYears(this.clock.now(), -CALENDAR_TOKEN_YEARS));
    if (!user?.active) return undefined;
    return principalOf(user);
  }

  /**
   * On first start, when no user exists, creates the platform admin from the environment (none
   * without a password: ADMIN_PASSWORD unset outside development). On the development default
   * password the admin must change it at first sign-in.
   */
  async bootstrapAdmin(admin: AppConfig['admin']): Promise<boolean> {
    if (await this.accounts.anyUserExists()) return false;
    if (admin.password === null) {
      this.logger.warn('No user exists and ADMIN_PASSWORD is unset: no platform admin is created (set ADMIN_PASSWORD, or NODE_ENV=development for the default)');
      return false;
    }
    const created = await this.accounts.insertUser({
      email: normaliseEmail(admin.email),
      name: 'Platform administrator',
      passwordHash: await passwordHasher.hash(admin.password),
      role: 'admin',
      organisationId: null,
      mustChangePassword: admin.mustChange,
    });
    if (created) this.logger.log(`Created the platform admin ${created.email}${admin.mustChange ? ' with the development default password: it must be changed at first sign-in' : ''}`);
    return Boolean(created);
  }
}

/** What a lead hears when adding a user whose email is taken, anywhere. */
export const UNUSABLE_EMAIL = 'This email address cannot be used for a new user. Check it; if the person already has an account, a platform admin can help.';

/** How long a calendar token opens feeds after it was issued. */
const CALENDAR_TOKEN_YEARS = 1;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
