/** Signing in over the API for an access token, and who the token says the caller is. */
import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { AccountsService, IdentityProvidersService, LoginLimiter, Principal, TokenService } from '@app/accounts';
import { Unauthenticated } from '@app/domain';
import { Caller, Public } from '../http/auth.guard';
import { LoginDto, TokenDto, UserDto, mapUser } from './dto/accounts.dto';

@ApiTags('accounts')
@Controller('v1')
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    private readonly limiter: LoginLimiter,
    private readonly providers: IdentityProvidersService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a short-lived access token' })
  @ApiOkResponse({ type: TokenDto })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this account from this address, or from this address; see Retry-After' })
  async login(@Body() body: LoginDto, @Ip() address: string): Promise<TokenDto> {
    // An organisation that switched passwords off: said for its email domains before any password is checked.
    const byDomain = await this.providers.passwordRefusal(body.email, null);
    if (byDomain) throw new Unauthenticated(byDomain);
    // The attempt counts before the password is checked: parallel guesses cannot outrun the limit.
    const attempt = await this.limiter.attempt(body.email, address);
    const user = await this.accounts.authenticate(body.email, body.password);
    if (!user) {
      await this.limiter.failed(attempt, 'login');
      throw new Unauthenticated('The email or password is wrong.');
    }
    await this.limiter.succeeded(body.email, address);
    const refusal = await this.providers.passwordRefusal(body.email, user.organisationId);
    if (refusal) throw new Unauthenticated(refusal);
    return this.tokens.issue(user);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOperation({ summary: 'The caller, with organisation' })
  @ApiOkResponse({ type: UserDto })
  async me(@Caller() caller: Principal): Promise<UserDto> {
    return mapUser(await this.accounts.getUser(caller.userId));
  }
}
