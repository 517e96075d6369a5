/** Which pages need a session, an admin or none, and the form token every posted form must carry. */
import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ReadLimiter, WebSession, WebSessionsService, WriteLimiter, sameToken } from '@app/accounts';
import { Forbidden, Unauthenticated } from '@app/domain';
import { EXPENSIVE_READ } from '@app/http';

export const SESSION_COOKIE = 'cocommission_session';
const PUBLIC = 'cocommission:web-public';
const ADMIN_ONLY = 'cocommission:web-admin-only';

/**
 * The page needs no sign-in (the sign-in page itself, a public partnership page): its reads are
 * counted per address (ReadLimiter); `unmetered` for health, which a load balancer asks every few seconds.
 */
export const PublicPage = (options: { unmetered?: boolean } = {}) => SetMetadata(PUBLIC, options.unmetered ? 'unmetered' : 'metered');
/** Only platform admins may open the page. */
export const AdminPage = () => SetMetadata(ADMIN_ONLY, true);
const TOKEN_IN_MULTIPART = 'cocommission:web-token-in-multipart';
/**
 * The form is sent as multipart/form-data (a file upload), whose body no parser reads before the
 * handler: the guard leaves the token of such a body to the handler, which must check the `_csrf`
 * field (sent first) with `sameToken` before it reads or keeps a byte of the file. Any other body is checked here as usual.
 */
export const TokenInMultipart = () => SetMetadata(TOKEN_IN_MULTIPART, true);

/** Whether the request's body is multipart/form-data. */
export const isMultipart = (request: Request): boolean => /^multipart\/form-data\s*;/i.test(request.headers['content-type'] ?? '');

export type WebRequest = Request & { session?: WebSession };

/** Thrown when a form comes back without its session's token (a cross-site request, or an old page). */
export class CsrfRefused extends Forbidden {
  constructor() {
    super('This form has expired. Go back, reload the page and try again.');
  }
}

/** Thrown while the signed-in person is still on the development default password: the page filter sends them to change it. */
export class PasswordChangeRequired extends Forbidden {
  constructor() {
    super('Change the development default password before anything else.');
  }
}

/** What a person still on the default password may open: the account page (to change it), and signing out. */
const WHILE_DEFAULT_PASSWORD = new Set(['/account', '/account/password', '/sign-out']);

/**
 * Every page but the public ones needs a session (from its httpOnly cookie); every form sent to
 * one must carry the session's token (`_csrf`), which a page of another site cannot read. A page
 * behind a session is never stored by a browser or a proxy (`Cache-Control: no-store`: a shared
 * computer's next user cannot bring it back); the public ones set their own caching.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: WebSessionsService,
    private readonly writes: WriteLimiter,
    private readonly reads: ReadLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<WebRequest>();
    const open = this.reflector.getAllAndOverride<'metered' | 'unmetered' | undefined>(PUBLIC, targets);
    if (open) {
      if (open === 'metered') await this.reads.anonymous(request.ip ?? '', request.method);
      return true;
    }
    const session = await this.sessions.resume(request.cookies?.[SESSION_COOKIE]);
    if (!session) throw new Unauthenticated('Sign in to continue.');
    context.switchToHttp().getResponse<Response>().setHeader('Cache-Control', 'no-store');
    const tokenLater = isMultipart(request) && this.reflector.getAllAndOverride<boolean>(TOKEN_IN_MULTIPART, targets);
    if (request.method !== 'GET' && request.method !== 'HEAD' && !tokenLater && !sameToken(request.body?._csrf, session.csrfToken)) {
      throw new CsrfRefused();
    }
    request.session = session;
    if (session.user.mustChangePassword && !WHILE_DEFAULT_PASSWORD.has(request.path)) throw new PasswordChangeRequired();
    await Promise.all([this.writes.take(session.user.id, request.method), this.reflector.getAllAndOverride<boolean>(EXPENSIVE_READ, targets) ? this.reads.expensive(session.user.id) : undefined]);
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && session.user.role !== 'admin') {
      throw new Forbidden('Only platform admins may open this page.');
    }
    return true;
  }
}

/** The signed-in user's session. */
export const Session = createParamDecorator((_: unknown, context: ExecutionContext): WebSession => {
  const session = context.switchToHttp().getRequest<WebRequest>().session;
  if (!session) throw new Unauthenticated('Sign in to continue.');
  return session;
});
