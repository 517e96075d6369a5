/** Signing in with a password and signing out of the web app. */
import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Inject, Ip, Post, Query, Req, Res } from '@nestjs/common';
import type { CookieOptions, Response } from 'express';
import { AccountsService, IdentityProvidersService, LoginAttempt, LoginDto, LoginLimiter, WebSessionsService, sameToken } from '@app/accounts';
import { APP_CONFIG, AppConfig } from '@app/config';
import { RateLimited } from '@app/domain';
import { checkForm, text, typed } from '../http/form';
import { CsrfRefused, PublicPage, SESSION_COOKIE, Session, WebRequest } from '../http/session.guard';
import { WebSession } from '@app/accounts';

/** Before sign-in there is no session: the form's token is also set as a cookie (double submit). */
export const SIGN_IN_COOKIE = 'cocommission_sign_in';
/** How long the sign-in form's token lasts (an hour to fill the form in). */
export const SIGN_IN_COOKIE_SECONDS = 3600;

/** Only a path of this site: never send someone elsewhere after signing in. */
export const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/');

@Controller()
export class SignInController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly limiter: LoginLimiter,
    private readonly sessions: WebSessionsService,
    private readonly providers: IdentityProvidersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private cookieOptions(maxAgeMs: number) {
    return { httpOnly: true, sameSite: 'lax' as const, secure: this.config.web.secureCookies, path: '/', maxAge: maxAgeMs };
  }

  private form(res: Response, status: number, view: SignInView) {
    return signInPage(res, status, view, this.providers, this.cookieOptions(SIGN_IN_COOKIE_SECONDS * 1000));
  }

  @PublicPage()
  @Get('sign-in')
  async signInPage(@Query('next') next: string | undefined, @Query('signed-out') signedOut: string | undefined, @Res() res: Response) {
    await this.form(res, 200, { next: safeNext(next), signedOut: signedOut !== undefined });
  }

  @PublicPage()
  @Post('sign-in')
  async signIn(@Body() body: Record<string, unknown>, @Req() req: WebRequest, @Ip() address: string, @Res() res: Response) {
    const next = safeNext(body.next);
    const cookieToken = req.cookies?.[SIGN_IN_COOKIE];
    if (typeof cookieToken !== 'string' || !sameToken(body._csrf, cookieToken)) throw new CsrfRefused();
    const login = { email: text(body, 'email'), password: typed(body, 'password') };
    const { value, errors } = await checkForm(LoginDto, login, {
      email: { field: 'email', text: login.email ? 'The email address must be 320 characters at most' : 'Enter your email address' },
      password: { field: 'password', text: login.password ? 'The password must be 1,024 characters at most' : 'Enter your password' },
    });
    const email = value.email?.slice(0, 320) ?? '';
    if (errors.length) return this.form(res, 400, { next, email, errors });
    // An organisation that switched passwords off: said for its email domains before any password is checked.
    const byDomain = await this.providers.passwordRefusal(email, null);
    if (byDomain) return this.form(res, 401, { next, email, errors: [{ field: 'email', text: byDomain }] });
    const { password } = value;
    let attempt: LoginAttempt;
    try {
      // The attempt counts before the password is checked: parallel guesses cannot outrun the limit.
      attempt = await this.limiter.attempt(email, address);
    } catch (error) {
      if (error instanceof RateLimited) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        return this.form(res, 429, { next, email, errors: [{ field: 'email', text: error.message }] });
      }
      throw error;
    }
    const user = await this.accounts.authenticate(email, password);
    if (!user) {
      await this.limiter.failed(attempt, 'login');
      return this.form(res, 401, { next, email, errors: [{ field: 'email', text: 'The email address or password is wrong' }] });
    }
    await this.limiter.succeeded(email, address);
    const refusal = await this.providers.passwordRefusal(email, user.organisationId);
    if (refusal) return this.form(res, 401, { next, email, errors: [{ field: 'email', text: refusal }] });
    const session = await this.sessions.start(user);
    res.clearCookie(SIGN_IN_COOKIE, { path: '/' });
    res.cookie(SESSION_COOKIE, session.token, this.cookieOptions(session.expiresAt.getTime() - Date.now()));
    // Still on the development default password: a new one first.
    res.redirect(303, user.mustChangePassword ? '/account?change=required' : next);
  }

  @Post('sign-out')
  async signOut(@Session() _session: WebSession, @Req() req: WebRequest, @Res() res: Response) {
    await this.sessions.end(req.cookies?.[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/sign-in?signed-out');
  }
}

export interface SignInView {
  next: string;
  email?: string;
  oidcEmail?: string;
  errors?: { field: string; text: string }[];
  signedOut?: boolean;
}

/**
 * The sign-in page: a "Sign in with <organisation>" link for each configured provider, finding
 * one's provider by email, and the password form with its double-submit token (also a cookie).
 */
export async function signInPage(res: Response, status: number, view: SignInView, providers: IdentityProvidersService, cookie: CookieOptions): Promise<void> {
  const token = randomBytes(24).toString('base64url');
  const choices = await providers.signInChoices();
  res.cookie(SIGN_IN_COOKIE, token, cookie);
  res.status(status).render('sign-in', { ...view, providers: choices, nextQuery: view.next === '/' ? '' : `?next=${encodeURIComponent(view.next)}`, signInToken: token, unread: 0 });
}
