import { Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { WebSessionsService } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { CycleInvitationsService } from '@app/cycles';
import { PublicPage, SESSION_COOKIE } from '../http/session.guard';

/** What a link that no longer works says, in plain English. */
const SPENT = {
  used: { title: 'This link has already been used', detail: 'Each link works only once.' },
  expired: { title: 'This link has expired', detail: 'Links stop working after a few days.' },
};

/**
 * A guest's invitation link (`/invitations/<token>`, emailed to them): followed once, it signs them
 * in without a password and opens the cycle; a used or expired one offers a fresh link by email.
 */
@Controller('invitations')
export class GuestInvitationsController {
  constructor(
    private readonly invitations: CycleInvitationsService,
    private readonly sessions: WebSessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicPage()
  @Get(':token')
  async follow(@Param('token') token: string, @Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const followed = await this.invitations.follow(token);
    if (followed.outcome === 'signed-in') {
      const session = await this.sessions.start(followed.user);
      res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', secure: this.config.web.secureCookies, path: '/', maxAge: session.expiresAt.getTime() - Date.now() });
      return res.redirect(303, `/cycles/${followed.cycleId}`);
    }
    if (followed.outcome === 'used' || followed.outcome === 'expired') {
      return res.status(410).render('invitation-spent', { ...SPENT[followed.outcome], action: `/invitations/${encodeURIComponent(token)}/renew`, unread: 0 });
    }
    if (followed.outcome === 'has-account') {
      return res.status(409).render('sign-in-failed', { title: 'You already have an account', detail: 'This email address already has an account here. Sign in with it to see the cycle.', unread: 0 });
    }
    return res.status(404).render('sign-in-failed', {
      title: 'This link does not work',
      detail: 'Check that you copied the whole link from the email. If it still does not work, ask the person who invited you to send a new one.',
      unread: 0,
    });
  }

  /** Sends a new link to the address the old one went to (nobody can choose another address here). */
  @PublicPage()
  @Post(':token/renew')
  async renew(@Param('token') token: string, @Res() res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    const renewed = await this.invitations.renew(token);
    if (!renewed) return res.status(404).render('sign-in-failed', { title: 'This link does not work', detail: 'Ask the person who invited you to send a new one.', unread: 0 });
    return res.status(200).render('invitation-renewed', { title: 'We have sent you a new link', unread: 0 });
  }
}
