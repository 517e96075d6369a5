import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { MAX_EMAIL_LENGTH } from '@app/domain';
import { EMAIL_PREFERENCES, EmailPreference, ORGANISATION_KINDS, OrganisationEntity, OrganisationKind, UserEntity, UserRole } from '@app/accounts';

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

export class TokenDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty({ description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'The account is still on the development default password: change it (POST /v1/me/password) before anything else' })
  usesDefaultCredentials!: boolean;
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

export class OrganisationDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind!: OrganisationKind;
  @ApiProperty() createdAt!: string;
}

export const mapOrganisation = (o: OrganisationEntity): OrganisationDto => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  createdAt: o.createdAt.toISOString(),
});

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

export class UserDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['admin', 'member', 'lead'], description: 'A lead manages the users of their own organisation' }) role!: UserRole;
  @ApiProperty({ description: 'A deactivated user cannot sign in; their earlier tokens and sessions are refused' }) active!: boolean;
  @ApiProperty({ description: 'May commit their organisation (endorse, object, consent, pledge, leave) where it names representatives' })
  representative!: boolean;
  @ApiProperty({ enum: EMAIL_PREFERENCES }) emailPreference!: EmailPreference;
  @ApiProperty({ description: 'Still on the development default password (the first platform admin of a development run): the web app asks for a new one first' })
  usesDefaultCredentials!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) organisationId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: OrganisationDto }) organisation!: OrganisationDto | null;
  @ApiProperty() createdAt!: string;
}

export const mapUser = (u: UserEntity): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  representative: u.representative,
  emailPreference: u.emailPreference,
  usesDefaultCredentials: u.mustChangePassword,
  organisationId: u.organisationId,
  organisation: u.organisation ? mapOrganisation(u.organisation) : null,
  createdAt: u.createdAt.toISOString(),
});

export class ListUsersQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  organisationId?: string;
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
