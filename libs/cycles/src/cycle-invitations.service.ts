import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { Principal, refusedWith } from '@app/accounts';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import { type Clock, Forbidden, NotFound, TransitionRefused, ValidationFailed, normaliseEmail, restoreCycle } from '@app/domain';
import { MAILER, type Email, type Mailer } from '@app/notifications';
import { REDIS } from '@app/queue';
import { CycleInvitationEntity, INVITATION_ROLES, InvitationRole } from './cycle-invitation.entity';
import { CycleQueriesService } from './cycle-queries.service';

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
  private readonly perInviter: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(
    private readonly queries: CycleQueriesService,
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

  /** The cycle's invitations, newest first. */
  async list(caller: Principal, cycleId: string): Promise<CycleInvitation[]> {
    await this.requireCommissioner(caller, cycleId);
    const rows = await this.invitations.find({ where: { cycleId }, order: { createdAt: 'DESC', id: 'ASC' } });
    return rows.map((r) => this.recordOf(r));
  }

  /** Withdraws an invitation: its link stops working. */
  async withdraw(caller: Principal, cycleId: string, id: string): Promise<void> {
    await this.requireCommissioner(caller, cycleId);
    const result = await this.invitations.delete({ id, cycleId });
    if (!result.affected) throw new NotFound('invitation');
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

  private async requireCommissioner(caller: Principal, cycleId: string): Promise<string> {
    const { row } = await this.queries.loadVisible(caller, cycleId, false);
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
