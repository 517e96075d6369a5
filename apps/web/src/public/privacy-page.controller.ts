/** The privacy notice (/privacy), without sign-in: what is held, why, for how long (from the retention policy) and whom to ask. */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RETENTION_INFO, RetentionRecord, RetentionService, keepDaysInWords } from '@app/data-protection';
import { PublicPage } from '../http/session.guard';
import { PUBLIC_PAGE_CACHE } from './public-pages.controller';

/** How long a session lasts, in words ("8 hours"). */
const hoursInWords = (seconds: number) => {
  const hours = seconds / 3600;
  return hours >= 1 && Number.isInteger(hours) ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : `${Math.round(seconds / 60)} minutes`;
};

/** Each record's period as the notice says it. */
const PERIODS: Record<RetentionRecord, (days: string, keepDays: number, config: AppConfig) => string> = {
  notifications: (days) => `Notifications are deleted ${days} after they are sent, whether you have read them or not. A task still open stays until it is done.`,
  emailDeliveries: (days) => `The log of each email sent to you (when, and whether it arrived) is deleted ${days} after it was sent.`,
  webhookDeliveries: (days) => `Records of the events sent to partner systems are deleted ${days} after they were sent.`,
  webSessions: (days, keepDays, config) =>
    `${keepDays === 0 ? 'Sign-in sessions are deleted once they expire' : `Sign-in sessions are deleted ${days} after they expire`}; a session lasts ${hoursInWords(config.web.sessionTtlSeconds)} at most.`,
  invitations: (days) => `An invitation to a cycle that was not followed is deleted ${days} after it expired.`,
  closedCyclePersonalData: (days) =>
    `Names, email addresses and what people wrote in a cycle are erased ${days} after the cycle closes. The cycle’s history keeps the proof of what was decided, without the personal data.`,
};

/**
 * The privacy notice, public and the same for everyone (no session is read): what the service
 * holds, why, for how long (each period read from the retention policy, so the notice changes
 * when an admin changes the policy), who to contact (PRIVACY_CONTACT) and the person's rights.
 */
@Controller('privacy')
export class PrivacyPageController {
  constructor(
    private readonly retention: RetentionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicPage()
  @Get()
  async page(@Res() res: Response) {
    const policy = await this.retention.policy();
    res.setHeader('Cache-Control', PUBLIC_PAGE_CACHE);
    res.render('privacy', {
      unread: 0,
      title: 'Privacy notice',
      contact: this.config.privacy.contact,
      periods: policy.map((rule) => ({
        record: rule.record,
        label: RETENTION_INFO[rule.record].label,
        text: PERIODS[rule.record](keepDaysInWords(rule.keepDays), rule.keepDays, this.config),
      })),
    });
  }
}
