import { CanActivate, ExecutionContext, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccountsService, Principal, TokenService, WriteLimiter } from '@app/accounts';
import { Forbidden, Unauthenticated } from '@app/domain';

const PUBLIC = 'cocommission:public';
const ADMIN_ONLY = 'cocommission:admin-only';

/** The route needs no token (login, health). */
export const Public = () => SetMetadata(PUBLIC, true);
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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length) {
      throw new Unauthenticated('Send an access token: Authorization: Bearer <token>.');
    }
    request.principal = this.tokens.verify(token);
    // Deactivated, or signed in before a password change: refused at once (within a second).
    // Standing and the write allowance together: one Redis round trip alongside the standing check.
    await Promise.all([this.accounts.requireCurrent(request.principal), this.writes.take(request.principal.userId, request.method)]);
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
