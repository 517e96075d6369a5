/** Which routes need a token or an admin, and the guard that verifies the bearer token on every request. */
import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccountsService, PERSONAL_TOKEN_PREFIX, PersonalAccessTokensService, Principal, READ_METHODS, ReadLimiter, TokenService, WriteLimiter } from '@app/accounts';
import { Forbidden, Unauthenticated } from '@app/domain';
import { EXPENSIVE_READ } from '@app/http';

const PUBLIC = 'cocommission:public';
const ADMIN_ONLY = 'cocommission:admin-only';

/**
 * The route needs no token (login, the calendar feed): its reads are counted per address
 * (ReadLimiter); `unmetered` for health, which a load balancer asks every few seconds.
 */
export const Public = (options: { unmetered?: boolean } = {}) => SetMetadata(PUBLIC, options.unmetered ? 'unmetered' : 'metered');
/** Only platform admins may call the route. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly accounts: AccountsService,
    private readonly writes: WriteLimiter,
    private readonly reads: ReadLimiter,
    private readonly personalTokens: PersonalAccessTokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const open = this.reflector.getAllAndOverride<'metered' | 'unmetered' | undefined>(PUBLIC, targets);
    if (open) {
      if (open === 'metered') await this.reads.anonymous(request.ip, request.method);
      return true;
    }
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length) {
      throw new Unauthenticated('Send an access token: Authorization: Bearer <token>.');
    }
    const expensive = this.reflector.getAllAndOverride<boolean>(EXPENSIVE_READ, targets);
    if (token.startsWith(PERSONAL_TOKEN_PREFIX)) {
      // A personal access token is read with its owner on every request: revoked, expired or a
      // deactivated owner → refused at once.
      const principal = await this.personalTokens.principalFor(token);
      if (!principal) throw new Unauthenticated('The personal access token is unknown, revoked or expired, or its owner is deactivated.');
      if (principal.tokenScope === 'read' && !READ_METHODS.has(request.method.toUpperCase())) {
        throw new Forbidden('This personal access token may only read (scope read): use a write token to change anything.');
      }
      request.principal = principal;
    } else {
      request.principal = this.tokens.verify(token);
    }
    // Deactivated, or signed in before a password change: refused at once (within a second).
    // Standing and the allowances together: Redis round trips alongside the standing check.
    await Promise.all([
      request.principal.tokenScope ? undefined : this.accounts.requireCurrent(request.principal),
      this.writes.take(request.principal.userId, request.method),
      expensive ? this.reads.expensive(request.principal.userId) : undefined,
    ]);
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && request.principal.role !== 'admin') {
      throw new Forbidden('Only platform admins may do this.');
    }
    return true;
  }
}

/** The verified caller of an authenticated route. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Unauthenticated('Not logged in.');
  return principal;
});
