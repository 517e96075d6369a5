/** Signing in through an organisation's identity provider (OpenID Connect with PKCE). */
import { Controller, Get, Inject, Ip, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IdentityProvidersService, OIDC_FLOW_SECONDS, OidcSignInFailed, OidcSignInService, WebSessionsService } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { isEmailAddress } from '@app/domain';
import { IdPipe } from '@app/http';
import { PublicPage, SESSION_COOKIE, WebRequest } from '../http/session.guard';
import { SIGN_IN_COOKIE_SECONDS, SignInView, safeNext, signInPage } from './sign-in.controller';

/** The browser keeps the state of the sign-in it started (only that browser may finish it). */
export const OIDC_FLOW_COOKIE = 'cocommission_oidc';
export const OIDC_FLOW_PATH = '/sign-in/oidc';

const FAILURE: Record<OidcSignInFailed['reason'], { status: number; title: string }> = {
  expired: { status: 400, title: 'This sign-in has expired' },
  refused: { status: 401, title: 'You could not be signed in' },
  'not-allowed': { status: 403, title: 'You could not be signed in' },
  down: { status: 502, title: 'The sign-in service is not answering' },
  'unknown-organisation': { status: 404, title: 'Page not found' },
};

/** Sign-in through an organisation's identity provider (OpenID Connect, authorisation code with PKCE). */
@Controller('sign-in/oidc')
export class OidcController {
  constructor(
    private readonly providers: IdentityProvidersService,
    private readonly oidc: OidcSignInService,
    private readonly sessions: WebSessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** By email: the organisation whose provider vouches for the address's domain. */
  @PublicPage()
  @Get()
  async byEmail(@Query('email') email: unknown, @Query('next') next: unknown, @Ip() address: string, @Res() res: Response) {
    const given = typeof email === 'string' ? email.trim() : '';
    if (!isEmailAddress(given)) return this.signInForm(res, 400, { next: safeNext(next), errors: [{ field: 'oidc-email', text: 'Enter your work email address, like name@example.org' }] });
    const organisationId = await this.providers.organisationForEmail(given);
    if (!organisationId) {
      return this.signInForm(res, 404, {
        next: safeNext(next),
        oidcEmail: given,
        errors: [{ field: 'oidc-email', text: 'No organisation signs in people with this email address through its identity provider here: sign in with your password' }],
      });
    }
    await this.begin(res, organisationId, address, safeNext(next), given);
  }

  @PublicPage()
  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Req() req: WebRequest, @Res() res: Response) {
    res.clearCookie(OIDC_FLOW_COOKIE, { path: OIDC_FLOW_PATH });
    try {
      const { user, next } = await this.oidc.finish(query, req.cookies?.[OIDC_FLOW_COOKIE]);
      const session = await this.sessions.start(user);
      res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', secure: this.config.web.secureCookies, path: '/', maxAge: session.expiresAt.getTime() - Date.now() });
      res.redirect(303, next);
    } catch (error) {
      this.failed(res, error);
    }
  }

  @PublicPage()
  @Get(':organisationId')
  async start(@Param('organisationId', new IdPipe('organisation')) organisationId: string, @Query('next') next: unknown, @Ip() address: string, @Res() res: Response) {
    await this.begin(res, organisationId, address, safeNext(next));
  }

  private signInForm(res: Response, status: number, view: SignInView) {
    return signInPage(res, status, view, this.providers, { httpOnly: true, sameSite: 'lax', secure: this.config.web.secureCookies, path: '/', maxAge: SIGN_IN_COOKIE_SECONDS * 1000 });
  }

  private async begin(res: Response, organisationId: string, address: string, next: string, email?: string) {
    try {
      const { url, state } = await this.oidc.start(organisationId, address, { next, email });
      res.cookie(OIDC_FLOW_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure: this.config.web.secureCookies, path: OIDC_FLOW_PATH, maxAge: OIDC_FLOW_SECONDS * 1000 });
      res.redirect(302, url);
    } catch (error) {
      this.failed(res, error);
    }
  }

  /** A page that says what happened and leads back to the sign-in page (never a 500 for the provider's faults). */
  private failed(res: Response, error: unknown) {
    if (!(error instanceof OidcSignInFailed)) throw error;
    const { status, title } = FAILURE[error.reason];
    res.status(status).render('sign-in-failed', { title, detail: error.message, unread: 0 });
  }
}
