/** The accessibility statement and the cookies page: public, for anyone, signed in or not. */
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { OIDC_FLOW_SECONDS, WebSessionsService } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { LayoutService } from '../http/layout.service';
import { PublicPage, SESSION_COOKIE, WebRequest } from '../http/session.guard';
import { SIGN_IN_COOKIE, SIGN_IN_COOKIE_SECONDS } from '../sign-in/sign-in.controller';
import { OIDC_FLOW_COOKIE, OIDC_FLOW_PATH } from '../sign-in/oidc.controller';

/** "8 hours", "10 minutes", "1 hour": a lifetime in words. */
export function lifetime(seconds: number): string {
  const [amount, unit] = seconds % 86_400 === 0 ? [seconds / 86_400, 'day'] : seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return `${amount.toLocaleString('en-GB')} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * The accessibility statement (the Public Sector Bodies Accessibility Regulations 2018, after
 * GOV.UK's sample) and the cookies page, which names each cookie as the code sets it. Both need no
 * sign-in; a signed-in visitor still sees their own frame (and the page is then not stored).
 */
@Controller()
export class StatementsController {
  constructor(
    private readonly sessions: WebSessionsService,
    private readonly layout: LayoutService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicPage()
  @Get('accessibility')
  async accessibility(@Req() req: WebRequest, @Res() res: Response) {
    await this.render(req, res, 'accessibility', 'Accessibility statement for Cocommission', {
      sessionHours: lifetime(this.config.web.sessionTtlSeconds),
    });
  }

  @PublicPage()
  @Get('cookies')
  async cookies(@Req() req: WebRequest, @Res() res: Response) {
    await this.render(req, res, 'cookies', 'Cookies', {
      cookies: [
        {
          name: SESSION_COOKIE,
          purpose: 'Keeps you signed in, so that you do not have to sign in again on every page. It holds a random code, not your name or email address.',
          lifetime: `${lifetime(this.config.web.sessionTtlSeconds)}, or until you sign out`,
        },
        {
          name: SIGN_IN_COOKIE,
          purpose: 'Protects the sign-in form: it holds a random code that the form must send back, so that another website cannot sign you in or out without you knowing.',
          lifetime: `${lifetime(SIGN_IN_COOKIE_SECONDS)}, or until you sign in`,
        },
        {
          name: OIDC_FLOW_COOKIE,
          purpose: `Only if you sign in through your organisation’s own sign-in service: it remembers which sign-in you started, so that only your browser can finish it. It is sent only to ${OIDC_FLOW_PATH}.`,
          lifetime: `${lifetime(OIDC_FLOW_SECONDS)}, or until the sign-in finishes`,
        },
      ],
      secure: this.config.web.secureCookies,
    });
  }

  private async render(req: WebRequest, res: Response, view: string, title: string, locals: Record<string, unknown>) {
    const session = await this.sessions.resume(req.cookies?.[SESSION_COOKIE]);
    // A signed-in frame names its person and carries their form token: never kept by a cache.
    if (session) res.setHeader('Cache-Control', 'no-store');
    res.render(view, {
      ...(await this.layout.of(session)),
      title,
      serviceUrl: this.config.mail.publicWebUrl,
      operator: this.config.site.operator,
      contactEmail: this.config.site.contactEmail,
      ...locals,
    });
  }
}
