/** Telling an account's owner, in the app and by email, when wrong passwords locked it. */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AccountsService, LoginLimiter, PasswordCheck } from '@app/accounts';
import { APP_CONFIG, AppConfig, CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { NotificationsRepository } from './notifications.repository';

/** The kind of a notification about the account itself: emailed at once, whatever the person chose for their work. */
export const ACCOUNT_LOCKED = 'account.locked';

/**
 * Tells the owner of an account, in the app and by email, when wrong passwords locked it from an
 * address: at sign-in (someone guessing it) or at a password change (someone with the person's
 * session guessing the current password). Once per kind of check and window.
 */
@Injectable()
export class AccountAlerts implements OnModuleInit {
  constructor(
    private readonly limiter: LoginLimiter,
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.limiter.onLockout((email, check) => this.lockedOut(email, check));
  }

  async lockedOut(email: string, check: PasswordCheck): Promise<void> {
    const user = await this.accounts.findActiveByEmail(email);
    if (!user) return;
    const { maxFailuresPerAccount: failures, windowSeconds } = this.config.login;
    const minutes = Math.ceil(windowSeconds / 60);
    const what =
      check === 'login'
        ? `${failures} sign-ins to your account failed with a wrong password, so sign-in from that address is paused for ${minutes} minutes.`
        : `While changing your password, someone signed in as you entered a wrong current password ${failures} times, so password changes from that address are paused for ${minutes} minutes.`;
    const window = Math.floor(this.clock.now().getTime() / (windowSeconds * 1000));
    await this.notifications.notify([
      {
        userId: user.id,
        kind: ACCOUNT_LOCKED,
        cycleId: null,
        milestoneId: null,
        text: `Wrong passwords for your account: ${what} If this was not you, change your password (every other sign-in then ends) and tell a platform admin.`,
        link: '/account#password',
        dedupeKey: `${ACCOUNT_LOCKED}:${check}:${window}`,
      },
    ]);
  }
}
