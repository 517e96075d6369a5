/** Emailing notifications: the notifications table as the outbox, each sent by a job at least once, never lost. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountsService, UserEntity } from '@app/accounts';
import { APP_CONFIG, AppConfig, CLOCK, deriveKey } from '@app/config';
import { type Clock, dateInEngland, isWorkingDay } from '@app/domain';
import type { DigestJobData } from '@app/queue';
import { EmailItem, digestEmail, notificationEmail } from './mail/email-content';
import { MAILER, Mailer } from './mail/mailer';
import { UnsubscribeLinks } from './mail/unsubscribe';
import { NotificationEntity } from './notification.entity';
import { NotificationsRepository } from './notifications.repository';
import { ACCOUNT_LOCKED } from './account-alerts.service';

export type SendOutcome = 'sent' | 'skipped' | 'already' | 'nothing';

/** How a notification is emailed: as the person chose, but news of their account itself at once, always. */
function emailPreferenceFor(user: UserEntity, kind: string): UserEntity['emailPreference'] {
  return kind === ACCOUNT_LOCKED ? 'immediate' : user.emailPreference;
}

/**
 * Email for notifications. The notifications table is the outbox: each new row is `pending`;
 * the relay routes it by its person's preference (now, the daily digest, or not at all) and a
 * job with a fixed id per notification sends it and marks it sent, logging every try. A worker
 * killed after the relay accepted a message but before the row was marked sent makes the job run
 * again: at most one duplicate per such crash, and never a lost email.
 */
@Injectable()
export class NotificationMailService {
  private readonly logger = new Logger('Mail');
  readonly links: UnsubscribeLinks;

  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly accounts: AccountsService,
    @Inject(MAILER) private readonly mailer: Mailer | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.links = new UnsubscribeLinks(deriveKey(config.jwt.secret, 'unsubscribe-link'), config.mail.publicWebUrl);
  }

  /** Whether email is on (SMTP_URL set), and where it goes. */
  get target(): string | null {
    return this.mailer?.target ?? null;
  }

  /**
   * The relay's pass over new notifications: each routed by its person's preference. Answers the
   * ids to email now (their jobs are added next; until one marks its row sent, a later pass adds
   * it again, which its fixed job id makes a no-op while the job exists).
   */
  async route(limit = 500): Promise<string[]> {
    const pending = await this.notifications.emailPending(limit);
    if (!pending.length) return [];
    if (!this.mailer) {
      await this.notifications.setEmailStatus(
        pending.filter((p) => p.emailStatus === 'pending').map((p) => p.id),
        'skipped',
      );
      return [];
    }
    const users = new Map((await this.accounts.findUsers([...new Set(pending.map((p) => p.userId))])).map((u) => [u.id, u]));
    const now: string[] = [];
    const digest: string[] = [];
    const skipped: string[] = [];
    for (const p of pending.filter((x) => x.emailStatus === 'pending')) {
      const user = users.get(p.userId);
      const preference = user && emailPreferenceFor(user, p.kind);
      if (!user?.active || preference === 'off') skipped.push(p.id);
      else if (preference === 'daily') digest.push(p.id);
      else now.push(p.id);
    }
    await this.notifications.setEmailStatus(digest, 'digest');
    await this.notifications.setEmailStatus(skipped, 'skipped');
    return now;
  }

  /** One notification's email (a job): throws when the relay refuses, so that the job retries. */
  async send(notificationId: string, attempt: number): Promise<SendOutcome> {
    const notification = await this.notifications.emailToSend(notificationId);
    if (!notification) return 'already';
    const user = await this.accounts.findUsers([notification.userId]).then((u) => u[0]);
    const preference = user && emailPreferenceFor(user, notification.kind);
    if (!this.mailer || !user?.active || preference === 'off') {
      await this.notifications.recordDelivery([notification.id], 'email', 'skipped', attempt, 'email is off for this person, or not configured');
      return 'skipped';
    }
    if (preference === 'daily') {
      await this.notifications.setEmailStatus([notification.id], 'digest');
      return 'skipped';
    }
    const email = notificationEmail(user.name, this.itemOf(notification), this.linksOf(user));
    // Which notification it is: a receiving system can drop the one duplicate a crash may cause.
    email.headers['X-Cocommission-Notification'] = notification.id;
    const response = await this.deliver(user, email, [notification.id], 'email', attempt);
    await this.notifications.recordDelivery([notification.id], 'email', 'sent', attempt, response);
    return 'sent';
  }

  /** After the last try: the email is marked failed (the delivery log says why). */
  async giveUp(notificationId: string, attempt: number, error: string): Promise<void> {
    await this.notifications.recordDelivery([notificationId], 'email', 'failed', attempt, error);
  }

  /** 08:00 in England: a digest job for each person with notifications waiting for one; none on weekends or bank holidays. */
  async digestsDue(now = this.clock.now()): Promise<DigestJobData[]> {
    if (!isWorkingDay(now)) return [];
    const day = dateInEngland(now);
    return (await this.notifications.digestRecipients()).map((userId) => ({ userId, day }));
  }

  /** One person's digest: everything routed to it since the last; nothing is sent when there is nothing new. */
  async sendDigest(userId: string, attempt: number): Promise<SendOutcome> {
    const items = await this.notifications.digestItems(userId);
    if (!items.length) return 'nothing';
    const user = (await this.accounts.findUsers([userId]))[0];
    const ids = items.map((n) => n.id);
    if (!this.mailer || !user?.active || user.emailPreference === 'off') {
      await this.notifications.recordDelivery(ids, 'digest', 'skipped', attempt, 'email is off for this person, or not configured');
      return 'skipped';
    }
    const email = digestEmail(
      user.name,
      items.map((n) => this.itemOf(n)),
      this.linksOf(user),
    );
    const response = await this.deliver(user, email, ids, 'digest', attempt);
    await this.notifications.recordDelivery(ids, 'digest', 'sent', attempt, response);
    return 'sent';
  }

  /** Turns email off from a signed link, without signing in (RFC 8058 one-click). */
  async unsubscribe(userId: unknown, token: unknown): Promise<boolean> {
    if (!this.links.verify(userId, token)) return false;
    await this.accounts.setEmailPreference(userId, 'off');
    return true;
  }

  private async deliver(user: UserEntity, email: ReturnType<typeof notificationEmail>, ids: string[], channel: 'email' | 'digest', attempt: number): Promise<string> {
    try {
      return (await this.mailer!.send(user.email, email)).response;
    } catch (error) {
      // Refused (4xx/5xx) or unreachable: logged, and the job tries again with backoff.
      await this.notifications.recordDelivery(ids, channel, 'refused', attempt, (error as Error).message.slice(0, 500));
      this.logger.warn(`The relay refused an email (try ${attempt}): ${(error as Error).message}`);
      throw error;
    }
  }

  private itemOf(n: NotificationEntity): EmailItem {
    return { text: n.text, link: n.link && `${this.config.mail.publicWebUrl}${n.link}`, done: n.state === 'done' && n.taskKey !== null };
  }

  private linksOf(user: UserEntity) {
    return { unsubscribe: this.links.url(user.id), preferences: `${this.config.mail.publicWebUrl}/account#email` };
  }
}
