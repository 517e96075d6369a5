/** The caller's personal access tokens over the API: made, listed and revoked. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { CreatePersonalTokenDto, PersonalAccessToken, PersonalAccessTokensService, Principal, TOKEN_SCOPES, TokenScope } from '@app/accounts';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';

export class PersonalTokenDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TOKEN_SCOPES }) scope!: TokenScope;
  @ApiProperty() expiresAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Its latest use, to the minute; null when never used' }) lastUsedAt!: string | null;
}

export class NewPersonalTokenDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TOKEN_SCOPES }) scope!: TokenScope;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ description: 'Shown this once (only its hash is kept): send it as `Authorization: Bearer <token>`', example: 'cct_…' }) token!: string;
}

export class PersonalTokenListDto {
  @ApiProperty({ type: [PersonalTokenDto] }) items!: PersonalTokenDto[];
}

const mapToken = (t: PersonalAccessToken): PersonalTokenDto => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  expiresAt: t.expiresAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1/me/tokens')
export class PersonalTokensController {
  constructor(private readonly tokens: PersonalAccessTokensService) {}

  @Post()
  @ApiOperation({
    summary: 'A personal access token for a script or a partner system',
    description:
      'Named, read or write, expiring within 365 days; shown once. It acts as you on every route (a read token gets 403 on anything but GET), ' +
      'and stops at once when revoked or when you are deactivated. A personal access token cannot make another (403).',
  })
  @ApiCreatedResponse({ type: NewPersonalTokenDto })
  async create(@Caller() caller: Principal, @Body() body: CreatePersonalTokenDto): Promise<NewPersonalTokenDto> {
    const { token, record } = await this.tokens.create(caller, body);
    const { lastUsedAt: _, ...shown } = mapToken(record);
    return { ...shown, token };
  }

  @Get()
  @ApiOperation({ summary: 'Your personal access tokens, newest first, with their last use (never the tokens themselves)' })
  @ApiOkResponse({ type: PersonalTokenListDto })
  async list(@Caller() caller: Principal): Promise<PersonalTokenListDto> {
    return { items: (await this.tokens.list(caller.userId)).map(mapToken) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of your personal access tokens: it gets 401 from then on' })
  @ApiNoContentResponse({ description: 'Revoked' })
  async revoke(@Caller() caller: Principal, @Param('id', new IdPipe('token')) id: string): Promise<void> {
    await this.tokens.revoke(caller.userId, id);
  }
}
