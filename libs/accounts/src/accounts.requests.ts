/** The accounts feature's request bodies (login, organisations, users, passwords, tokens), checked by the validation pipe. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '@app/domain';
import { ORGANISATION_KINDS, OrganisationKind } from './organisation.entity';
import { EMAIL_PREFERENCES, EmailPreference } from './user.entity';
import { TOKEN_SCOPES, TokenScope } from './personal-access-token.entity';
import { MAX_TOKEN_DAYS } from './personal-access-tokens.service';

// The bodies the accounts feature accepts: the API's pipe and the web app's forms validate with these classes.

export class LoginDto {
  @ApiProperty({ example: 'admin@cocommission.local' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'cocommission-admin' })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class CreateOrganisationDto {
  @ApiProperty({ example: 'Northshire County Council' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: ORGANISATION_KINDS })
  @IsIn(ORGANISATION_KINDS)
  kind!: OrganisationKind;
}

export class CreateUserDto {
  @ApiProperty({ example: 'jo.bloggs@northshire.gov.uk', maxLength: MAX_EMAIL_LENGTH })
  @IsEmail() // validator.js refuses more than 254 characters before its patterns run
  @MaxLength(MAX_EMAIL_LENGTH)
  email!: string;

  @ApiProperty({ example: 'Jo Bloggs' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ minLength: 12, description: 'At least 12 characters, and not one of the most common passwords' })
  @IsString()
  @MaxLength(1024)
  password!: string;

  @ApiProperty()
  @IsUUID()
  organisationId!: string;
}

export class PreferencesDto {
  @ApiProperty({ enum: EMAIL_PREFERENCES, description: 'immediate: each notification by email; daily: one digest each working morning at 08:00; off: none' })
  @IsIn(EMAIL_PREFERENCES)
  email!: EmailPreference;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'false deactivates: every earlier token and web session is refused, and login' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'May commit their organisation where it names representatives' })
  @IsOptional()
  @IsBoolean()
  representative?: boolean;

  @ApiPropertyOptional({ enum: ['member', 'lead'] })
  @IsOptional()
  @IsIn(['member', 'lead'])
  role?: 'member' | 'lead';

  @ApiPropertyOptional({ description: 'Admins only: a new password (at least 12 characters, not a common one); ends the user’s sessions' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;

  @ApiProperty({ minLength: 12, description: 'At least 12 characters, and not one of the most common passwords' })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}

/** A personal access token asked for (API and the account page). */
export class CreatePersonalTokenDto {
  @ApiProperty({ example: 'Partner case system', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: TOKEN_SCOPES, description: 'read: GET only (any other method → 403); write: everything you may do' })
  @IsIn(TOKEN_SCOPES)
  scope!: TokenScope;

  @ApiProperty({ minimum: 1, maximum: MAX_TOKEN_DAYS, example: 90 })
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_DAYS)
  expiresInDays!: number;
}
