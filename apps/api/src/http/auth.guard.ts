import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccountsService, Principal, ReadLimiter, TokenService, WriteLimiter } from '@app/accounts';
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
    request.principal = this.tokens.verify(token);
    // Deactivated, or signed in before a password change: refused at once (within a second).
    // Standing and the allowances together: Redis round trips alongside the standing check.
    const expensive = this.reflector.getAllAndOverride<boolean>(EXPENSIVE_READ, targets);
    await Promise.all([
      this.accounts.requireCurrent(request.principal),
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
