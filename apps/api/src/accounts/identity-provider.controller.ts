/** An organisation's OpenID Connect provider over the API, for an admin or its lead (the secret never shown). */
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IdentityProvidersService, Principal } from '@app/accounts';
import { IdPipe } from '@app/http';
import { Caller } from '../http/auth.guard';

export class IdentityProviderInputDto {
  @ApiProperty({ example: 'https://login.microsoftonline.com/<tenant id>/v2.0', description: 'The provider’s issuer; its /.well-known/openid-configuration is fetched and checked' })
  @IsString()
  @MaxLength(2000)
  issuer!: string;

  @ApiProperty({ example: '5f0c…' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  clientId!: string;

  @ApiProperty({ description: 'Stored encrypted; never returned' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  clientSecret!: string;

  @ApiProperty({ example: ['northshire.gov.uk'], description: 'The email domains it vouches for: none may be another organisation’s' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  emailDomains!: string[];

  @ApiPropertyOptional({ default: true, description: 'false: the organisation’s people may not sign in with a password (401 naming the provider)' })
  @IsOptional()
  @IsBoolean()
  passwordsAllowed?: boolean;
}

export class IdentityProviderDto {
  @ApiProperty() issuer!: string;
  @ApiProperty() clientId!: string;
  @ApiProperty({ type: [String] }) emailDomains!: string[];
  @ApiProperty() passwordsAllowed!: boolean;
}

const OrganisationId = () => Param('id', new IdPipe('organisation'));

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('v1/organisations/:id/identity-provider')
export class IdentityProviderController {
  constructor(private readonly providers: IdentityProvidersService) {}

  @Put()
  @ApiOperation({
    summary: 'Configure the organisation’s OpenID Connect provider (admin, or a lead of the organisation)',
    description: 'The issuer’s discovery document is fetched and checked first; nothing is stored unless all of it is usable.',
  })
  @ApiOkResponse({ type: IdentityProviderDto })
  @ApiUnprocessableEntityResponse({ description: 'The issuer cannot be reached, its discovery document lacks the endpoints, or a domain is another organisation’s; `detail` says which' })
  configure(@Caller() caller: Principal, @OrganisationId() id: string, @Body() body: IdentityProviderInputDto): Promise<IdentityProviderDto> {
    return this.providers.configure(caller, id, body);
  }

  @Get()
  @ApiOperation({ summary: 'The organisation’s OpenID Connect provider (never its secret)' })
  @ApiOkResponse({ type: IdentityProviderDto })
  get(@Caller() caller: Principal, @OrganisationId() id: string): Promise<IdentityProviderDto> {
    return this.providers.get(caller, id);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop signing the organisation’s people in through its provider (passwords work again)' })
  @ApiNoContentResponse({ description: 'Removed' })
  async remove(@Caller() caller: Principal, @OrganisationId() id: string): Promise<void> {
    await this.providers.remove(caller, id);
  }
}
