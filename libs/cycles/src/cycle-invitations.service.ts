import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AccountsService, Principal, principalOf, refusedWith } from '@app/accounts';
import { UserEntity } from '@app/accounts/user.entity';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import { type Clock, DomainError, Forbidden, NotFound, TransitionRefused, ValidationFailed, normaliseEmail, restoreCycle } from '@app/domain';
import { MAILER, type Email, type Mailer } from '@app/notifications';
import { REDIS } from '@app/queue';
import { CycleInvitationEntity, INVITATION_ROLES, InvitationRole } from './cycle-invitation.entity';
import { CycleEntity } from './cycle.entity';
import { CycleQueriesService } from './cycle-queries.service';
import { CycleEventsService } from './cycle-events.service';
import { CycleViewsRepository } from './cycle-views.repository';

/** An invitation as its cycle's commissioners see it (never the link). */
export interface CycleInvitation {
  id: string;
  email: string;
  name: string;
  role: InvitationRole;
  expiresAt: Date;
  state: 'sent' | 'used' | 'expired';
  createdAt: Date;
}

/** What following a link comes to: signed in as the guest, or why not. */
export type Followed = { outcome: 'signed-in'; user: UserEntity; cycleId: string } | { outcome: 'used' | 'expired'; email: string } | { outcome: 'has-account' | 'unknown' };

export interface NewInvitation {
  email: string;
  name: string;
  role: InvitationRole;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Invitations of guests (residents, people without an account) to one cycle, by a commissioner
 * co-owner's member. The link is sent by email at once and shown to nobody else; only its hash is
 * kept. Sends are limited per inviter and per invited address (an inbox is not flooded).
 */
@Injectable()
export class CycleInvitationsService {
  private readonly logger = new Logger(CycleInvitationsService.name);
  private readonly perInviter: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(
    private readonly queries: CycleQueriesService,
    private readonly events: CycleEventsService,
    private readonly views: CycleViewsRepository,
    private readonly accounts: AccountsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(MAILER) private readonly mailer: Mailer | null,
    @Inject(REDIS) redis: IORedis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const common = { storeClient: redis, duration: 3600, points: config.invitations.perHour };
    this.perInviter = new RateLimiterRedis({ ...common, keyPrefix: `${config.redis.prefix}:invitation:inviter` });
    this.perAddress = new RateLimiterRedis({ ...common, keyPrefix: `${config.redis.prefix}:invitation:address` });
  }

  private get invitations() {
    return this.dataSource.getRepository(CycleInvitationEntity);
  }

  /** Invites the person and emails them the link; 404 for a cycle the caller cannot see, 403 unless they are a commissioner's member. */
  async invite(caller: Principal, cycleId: string, input: NewInvitation): Promise<CycleInvitation> {
    const email = normaliseEmail(input.email ?? '');
    const name = (input.name ?? '').trim();
    const problems = [
      ...(!EMAIL.test(email) || email.length > 254 ? [{ field: 'email', message: 'must be an email address' }] : []),
      ...(!name || name.length > 100 ? [{ field: 'name', message: 'must be 1 to 100 characters' }] : []),
      ...(!INVITATION_ROLES.includes(input.role) ? [{ field: 'role', message: 'must be panel or voice' }] : []),
    ];
    if (problems.length) throw new ValidationFailed(problems);
    const title = await this.requireCommissioner(caller, cycleId);
    if (!this.mailer) throw new TransitionRefused('This service sends no email (SMTP_URL is not set), so nobody can be invited.');
    const tooMany = refusedWith((wait) => `Too many invitations sent. Try again in ${wait}.`);
    await this.perInviter.consume(caller.userId).catch(tooMany);
    await this.perAddress.consume(email).catch(tooMany);
    return this.send(cycleId, title, { email, name, role: input.role }, caller.userId);
  }

  /**
   * The cycle's invitations, newest first. `read`: the cycle as already read for the caller in
   * this request (a page that shows it), judged instead of reading it again.
   */
  async list(caller: Principal, cycleId: string, read?: { row: CycleEntity }): Promise<CycleInvitation[]> {
    await this.requireCommissioner(caller, cycleId, read);
    const rows = await this.invitations.find({ where: { cycleId }, order: { createdAt: 'DESC', id: 'ASC' } });
    return rows.map((r) => this.recordOf(r));
  }

  /** Withdraws an invitation: its link stops working. */
  async withdraw(caller: Principal, cycleId: string, id: string): Promise<void> {
    await this.requireCommissioner(caller, cycleId);
    const result = await this.invitations.delete({ id, cycleId });
    if (!result.affected) throw new NotFound('invitation');
  }

  /**
   * Follows a link: once, before it expires, it signs its person in as a guest (made on first use;
   * an address that already has a staff account signs in as usual instead); a panel invitation
   * adds them to the cycle's review panel, in the inviter's name.
   */
  async follow(token: string): Promise<Followed> {
    if (!token || token.length > 100) return { outcome: 'unknown' };
    const found = await this.invitations.findOne({ where: { tokenHash: sha256(token) } });
    if (!found) return { outcome: 'unknown' };
    const now = this.clock.now();
    if (found.usedAt || found.expiresAt.getTime() <= now.getTime()) return { outcome: found.usedAt ? 'used' : 'expired', email: found.email };
    const guest = await this.guestFor(found);
    if (!guest) return { outcome: 'has-account' };
    // Taken once: of two browsers following the same link at once, one signs in.
    const taken = await this.invitations
      .createQueryBuilder()
      .update()
      .set({ usedAt: now, guestUserId: guest.id })
      .where('id = :id AND used_at IS NULL AND expires_at > :now', { id: found.id, now })
      .execute();
    if (!taken.affected) return { outcome: 'used', email: found.email };
    if (found.role === 'panel') await this.joinPanel(found, guest.id);
    return { outcome: 'signed-in', user: guest, cycleId: found.cycleId };
  }

  /** A fresh link to the address a used or expired link was sent to (never another address), counted like any send. */
  async renew(token: string): Promise<{ email: string } | undefined> {
    if (!token || token.length > 100) return undefined;
    const found = await this.invitations.findOne({ where: { tokenHash: sha256(token) } });
    if (!found || (!found.usedAt && found.expiresAt.getTime() > this.clock.now().getTime())) return undefined;
    await this.perAddress.consume(found.email).catch(refusedWith((wait) => `Too many links sent to this address. Try again in ${wait}.`));
    const cycle = await this.views.find(found.cycleId);
    if (!cycle) return undefined;
    if (!this.mailer) throw new TransitionRefused('This service sends no email, so no new link can be sent.');
    await this.send(found.cycleId, cycle.title, { email: found.email, name: found.name, role: found.role }, found.invitedByUserId);
    return { email: found.email };
  }

  /** The invitation's guest: the one with its address, or a new one; none when the address is a staff account's. */
  private async guestFor(found: CycleInvitationEntity): Promise<UserEntity | undefined> {
    const users = this.dataSource.getRepository(UserEntity);
    const existing = await users.findOne({ where: { email: found.email } });
    if (existing) return existing.role === 'guest' && existing.active ? existing : undefined;
    await users.createQueryBuilder().insert().values({ email: found.email, name: found.name, passwordHash: '', role: 'guest', organisationId: null }).orIgnore().execute();
    const made = await users.findOne({ where: { email: found.email } });
    return made?.role === 'guest' ? made : undefined;
  }

  /** A panel guest joins the review panel, in the inviter's name; when the cycle refuses it (not launched yet), they still see the cycle. */
  private async joinPanel(found: CycleInvitationEntity, guestUserId: string): Promise<void> {
    if (!found.invitedByUserId) return;
    const inviter = principalOf(await this.accounts.getUser(found.invitedByUserId));
    try {
      const { row } = await this.queries.loadVisible(inviter, found.cycleId, false);
      const { panelUserIds } = restoreCycle(row.snapshot).context;
      if (panelUserIds.includes(guestUserId)) return;
      await this.events.send(inviter, found.cycleId, { type: 'CHANGE_PANEL', panelUserIds: [...panelUserIds, guestUserId] });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`A panel guest of cycle ${found.cycleId} could not join its panel: ${error.message}`);
    }
  }

  private async send(cycleId: string, title: string, who: NewInvitation, invitedByUserId: string | null): Promise<CycleInvitation> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + this.config.invitations.ttlHours * 3600_000);
    const saved = await this.invitations.save(this.invitations.create({ cycleId, ...who, tokenHash: sha256(token), invitedByUserId, expiresAt, usedAt: null }));
    const link = `${this.config.mail.publicWebUrl}/invitations/${token}`;
    try {
      await this.mailer!.send(who.email, invitationEmail(who.name, title, who.role, link, expiresAt));
    } catch (error) {
      // An invitation whose email never left is no invitation: nothing is kept of it.
      await this.invitations.delete({ id: saved.id });
      throw error;
    }
    return this.recordOf(saved);
  }

  private async requireCommissioner(caller: Principal, cycleId: string, read?: { row: CycleEntity }): Promise<string> {
    const { row } = read?.row.id === cycleId ? read : await this.queries.loadVisible(caller, cycleId, false);
    const { coOwners } = restoreCycle(row.snapshot).context;
    const commissioner = coOwners.some((c) => c.role === 'commissioner' && c.organisationId === caller.organisationId);
    if (!commissioner) throw new Forbidden('Only members of a commissioner of this cycle invite guests to it.');
    return row.title;
  }

  private recordOf(r: CycleInvitationEntity): CycleInvitation {
    const state = r.usedAt ? 'used' : r.expiresAt.getTime() <= this.clock.now().getTime() ? 'expired' : 'sent';
    return { id: r.id, email: r.email, name: r.name, role: r.role, expiresAt: r.expiresAt, state, createdAt: r.createdAt };
  }
}

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The invitation in plain English: what it is for, the link, and until when it works. */
export function invitationEmail(name: string, title: string, role: InvitationRole, link: string, expiresAt: Date): Email {
  const what = role === 'panel' ? 'sit on the review panel of' : 'tell us what you think about';
  const until = expiresAt.toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' });
  const lines = [
    `Hello ${name},`,
    `You are invited to ${what} “${title}”.`,
    `Open this link to take part. You do not need a password. The link works once, until ${until}.`,
    link,
    'If you did not expect this email, you can ignore it.',
  ];
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(`You are invited: ${title}`)}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 19px; color: #0b0c0c;">
<p>${escape(lines[0])}</p><p>${escape(lines[1])}</p><p>${escape(lines[2])}</p>
<p><a href="${escape(link)}" style="color:#1d70b8;">Take part</a></p><p>${escape(lines[4])}</p></body></html>`;
  return { subject: `You are invited to take part: “${title}”`, text: lines.join('\n\n'), html, headers: {} };
}
